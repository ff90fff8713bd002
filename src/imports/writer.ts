import type { ImportedIncident, ImportedIncidents } from '../store/imported-incidents';
import { clipped } from './quote';
import type { ImportSource } from './types';

/** A row ready for `incidents`: class mapped, milestones checked. */
export interface ImportRow extends ImportedIncident {
  line: number;
}

export interface BatchResult {
  imported: number;
  updated: number;
  unchanged: number;
  rejected: Array<{ line: number; reason: string }>;
}

/**
 * Writes batches of imported incidents. Each batch commits on its own, so an import cut short
 * keeps what it wrote and a second run picks up the rest (it is idempotent on external_id).
 */
export class ImportWriter {
  constructor(
    private readonly incidents: ImportedIncidents,
    private readonly source: ImportSource,
  ) {}

  async write(rows: ImportRow[]): Promise<BatchResult> {
    if (rows.length === 0) return { imported: 0, updated: 0, unchanged: 0, rejected: [] };
    try {
      return await this.upsert(rows);
    } catch (err) {
      if (!isDataError(err) || rows.length === 1) throw err;
      return this.oneByOne(rows);
    }
  }

  private async upsert(rows: ImportRow[]): Promise<BatchResult> {
    return { ...(await this.incidents.upsert(this.source, rows)), rejected: [] };
  }

  /**
   * The checks before writing should leave nothing for Postgres to refuse; if it still refuses
   * a row (a NUL byte in a title, a constraint added later), only that row is lost, not its batch.
   */
  private async oneByOne(rows: ImportRow[]): Promise<BatchResult> {
    const total: BatchResult = { imported: 0, updated: 0, unchanged: 0, rejected: [] };
    for (const row of rows) {
      try {
        const r = await this.upsert([row]);
        total.imported += r.imported;
        total.updated += r.updated;
        total.unchanged += r.unchanged;
      } catch (err) {
        if (!isDataError(err)) throw err;
        total.rejected.push({ line: row.line, reason: `refused by the database: ${clipped((err as Error).message)}` });
      }
    }
    return total;
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (constraint violation): the row, not the database, is at fault. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
