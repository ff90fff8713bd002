import type { Readable } from 'node:stream';
import { isoDate, type ParsedDate } from './dates';
import { quoted } from './quote';
import { csvRecords } from './records';
import type { ReadItem, ReaderOptions } from './types';

const REQUIRED = ['class', 'severity', 'external_id', 'declared_at', 'resolved_at'] as const;
const DATES = ['declared_at', 'acknowledged_at', 'diagnosed_at', 'resolved_at'] as const;

/**
 * Incidents from our own CSV: class, severity, title, external_id, declared_at, acknowledged_at,
 * diagnosed_at, resolved_at (ISO 8601). One row per incident, so rows stream straight through;
 * only the external ids seen are kept, to refuse a second row for the same incident (which one
 * would win is not ours to guess).
 */
export async function* readOwnCsv(input: Readable, opts: ReaderOptions = {}): AsyncGenerator<ReadItem> {
  const seen = new Map<string, number>();
  for await (const item of csvRecords(input, REQUIRED)) {
    if ('skip' in item) {
      yield item;
      continue;
    }
    opts.onRecord?.(item.line);
    const { line, record } = item;
    const externalId = record.external_id?.trim();
    if (!externalId) {
      yield { line, skip: 'no external_id' };
      continue;
    }
    const first = seen.get(externalId);
    if (first !== undefined) {
      yield { line, skip: `duplicate external_id ${quoted(externalId)} (first on line ${first})` };
      continue;
    }
    seen.set(externalId, line);
    const category = record.class?.trim();
    if (!category) {
      yield { line, skip: 'no class' };
      continue;
    }
    const severity = /^\s*(?:sev)?\s*([1-4])\s*$/i.exec(record.severity ?? '');
    if (!severity) {
      yield { line, skip: `bad severity ${quoted(record.severity)}` };
      continue;
    }
    const dates: Record<string, Date | null> = {};
    let bad: string | null = null;
    for (const column of DATES) {
      const parsed: ParsedDate = isoDate(record[column]);
      if (parsed === 'bad') {
        bad = `bad ${column} ${quoted(record[column])}`;
        break;
      }
      dates[column] = parsed;
    }
    if (bad) {
      yield { line, skip: bad };
      continue;
    }
    if (!dates.declared_at) {
      yield { line, skip: 'no declared_at' };
      continue;
    }
    yield {
      line,
      incident: {
        externalId,
        category,
        severity: Number(severity[1]),
        title: record.title?.trim() || externalId,
        declaredAt: dates.declared_at,
        acknowledgedAt: dates.acknowledged_at ?? null,
        diagnosedAt: dates.diagnosed_at ?? null,
        resolvedAt: dates.resolved_at ?? null,
      },
    };
  }
}
