import type { Pool } from 'pg';
import { clipped } from './quote';
import type { ImportSource } from './types';

/** A row ready for `incidents`: class mapped, milestones checked. */
export interface ImportRow {
  line: number;
  externalId: string;
  className: string;
  severity: number;
  title: string;
  status: 'declared' | 'acknowledged' | 'resolved';
  declaredAt: Date;
  acknowledgedAt: Date | null;
  diagnosedAt: Date | null;
  resolvedAt: Date | null;
}

export interface BatchResult {
  imported: number;
  updated: number;
  unchanged: number;
  rejected: Array<{ line: number; reason: string }>;
}

const COLUMNS = ['playbook_id', 'class', 'title', 'severity', 'status', 'declared_at', 'acknowledged_at', 'diagnosed_at', 'resolved_at'];

/*
 * One statement per batch, whatever its size: the rows travel as nine arrays. Imported incidents
 * never get a chat channel (platform 'import', no workspace), and the runbook is the class.
 * The conflict target is the partial unique index of migration 0009. The update only happens when
 * a field differs, so an identical re-import writes nothing and returns nothing; `xmax = 0` tells
 * a fresh insert from an update.
 */
const UPSERT = `
INSERT INTO incidents (imported_from, platform, workspace, declared_by, external_id, ${COLUMNS.join(', ')})
SELECT $1, 'import', NULL, 'import', u.external_id, u.class, u.class, u.title, u.severity, u.status,
       u.declared_at, u.acknowledged_at, u.diagnosed_at, u.resolved_at
  FROM unnest($2::text[], $3::text[], $4::text[], $5::smallint[], $6::text[],
              $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[])
    AS u(external_id, class, title, severity, status, declared_at, acknowledged_at, diagnosed_at, resolved_at)
ON CONFLICT (imported_from, external_id) WHERE imported_from IS NOT NULL DO UPDATE
   SET ${COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, version = incidents.version + 1
 WHERE (${COLUMNS.map((c) => `incidents.${c}`).join(', ')}) IS DISTINCT FROM (${COLUMNS.map((c) => `EXCLUDED.${c}`).join(', ')})
RETURNING (xmax = 0) AS inserted`;

/**
 * Writes batches of imported incidents. Each batch commits on its own, so an import cut short
 * keeps what it wrote and a second run picks up the rest (it is idempotent on external_id).
 */
export class ImportWriter {
  constructor(
    private readonly pool: Pool,
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
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const { rows: written } = await this.pool.query<{ inserted: boolean }>(UPSERT, [
      this.source,
      rows.map((r) => r.externalId),
      rows.map((r) => r.className),
      rows.map((r) => r.title),
      rows.map((r) => r.severity),
      rows.map((r) => r.status),
      rows.map((r) => iso(r.declaredAt)),
      rows.map((r) => iso(r.acknowledgedAt)),
      rows.map((r) => iso(r.diagnosedAt)),
      rows.map((r) => iso(r.resolvedAt)),
    ]);
    const imported = written.filter((r) => r.inserted).length;
    const updated = written.length - imported;
    return { imported, updated, unchanged: rows.length - written.length, rejected: [] };
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
