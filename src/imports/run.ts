import type { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { mapClass, type ClassMap } from './class-map';
import { readOwnCsv } from './csv';
import { milestoneProblem } from './milestones';
import { openImportFile } from './open-file';
import { Progress } from './progress';
import { quoted } from './quote';
import { readServiceNow } from './servicenow';
import type { ImportSource, PastIncident, ReadItem, ReaderOptions } from './types';
import { PgImportedIncidents } from '../store/imported-incidents';
import { ImportWriter, type ImportRow } from './writer';

export interface ImportOptions {
  classMap?: ClassMap;
  batchSize?: number;
  /** Where progress lines go (the CLI: stderr); silent when absent. */
  progress?: (text: string) => void;
}

export interface Skip {
  line: number;
  reason: string;
}

export interface ImportSummary {
  source: ImportSource;
  file: string;
  /** Valid incidents found in the file: imported + updated + unchanged. */
  incidents: number;
  imported: number;
  updated: number;
  unchanged: number;
  skipped: Skip[];
  ms: number;
}

/** What a runbook class looks like; our own CSV names classes, so anything else there is a mistake. */
const CLASS_SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

const READERS: Record<ImportSource, (input: Readable, opts: ReaderOptions) => AsyncIterable<ReadItem>> = {
  servicenow: readServiceNow,
  csv: readOwnCsv,
};

/**
 * Streams `file` into `incidents` in batches. Lines that cannot become an incident are listed in
 * the summary with their reason and never stop the others. Throws when the file cannot be opened
 * or read through, or is not the expected kind (ImportFileError); batches written before that stay.
 */
export async function importFile(pool: Pool, source: ImportSource, file: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const classMap = opts.classMap ?? new Map<string, string>();
  const batchSize = opts.batchSize ?? 1_000;
  const progress = new Progress(`import ${source}`, opts.progress ?? (() => undefined));
  const writer = new ImportWriter(new PgImportedIncidents(pool), source);
  const summary: ImportSummary = { source, file, incidents: 0, imported: 0, updated: 0, unchanged: 0, skipped: [], ms: 0 };

  let batch: ImportRow[] = [];
  const flush = async () => {
    const r = await writer.write(batch);
    summary.imported += r.imported;
    summary.updated += r.updated;
    summary.unchanged += r.unchanged;
    summary.incidents += r.imported + r.updated + r.unchanged;
    summary.skipped.push(...r.rejected);
    progress.wrote(batch.length - r.rejected.length);
    batch = [];
  };

  const input = await openImportFile(file);
  for await (const item of READERS[source](input, { onRecord: (line) => progress.line(line) })) {
    if ('skip' in item) {
      summary.skipped.push({ line: item.line, reason: item.skip });
      continue;
    }
    const problem = milestoneProblem(item.incident);
    if (problem) {
      summary.skipped.push({ line: item.line, reason: problem });
      continue;
    }
    const row = toRow(item.line, item.incident, classMap);
    // A ServiceNow category is someone else's naming and is kept as it is unless the class map says otherwise.
    if (source === 'csv' && !CLASS_SLUG.test(row.className)) {
      summary.skipped.push({ line: item.line, reason: `bad class ${quoted(row.className)} (lowercase letters, digits and -, at most 64)` });
      continue;
    }
    batch.push(row);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  summary.skipped.sort((a, b) => a.line - b.line);
  summary.ms = progress.elapsedMs();
  return summary;
}

function toRow(line: number, i: PastIncident, classMap: ClassMap): ImportRow {
  return {
    line,
    externalId: i.externalId,
    className: mapClass(classMap, i.category),
    severity: i.severity,
    title: i.title,
    status: i.resolvedAt ? 'resolved' : i.acknowledgedAt ? 'acknowledged' : 'declared',
    declaredAt: i.declaredAt,
    acknowledgedAt: i.acknowledgedAt,
    diagnosedAt: i.diagnosedAt,
    resolvedAt: i.resolvedAt,
  };
}
