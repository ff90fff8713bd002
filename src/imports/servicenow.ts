import type { Readable } from 'node:stream';
import { serviceNowDate } from './dates';
import { quoted } from './quote';
import { csvRecords } from './records';
import type { PastIncident, ReadItem, ReaderOptions } from './types';

const REQUIRED = ['number', 'sys_mod_count', 'opened_at', 'resolved_at', 'category', 'priority'] as const;

export const UNCATEGORIZED = 'uncategorized';

/** Only what the import needs of a row, so the map below stays small. */
interface Latest {
  line: number;
  modCount: number;
  openedAt: string | undefined;
  resolvedAt: string | undefined;
  category: string | undefined;
  priority: string | undefined;
  title: string | undefined;
}

/**
 * Incidents from a ServiceNow incident export or event log. An event log has a row per update,
 * and only the last one (highest `sys_mod_count`; a tie goes to the later line) holds the
 * incident's final state, which may come anywhere in the file. So this keeps one small row per
 * incident number in memory until the file ends: 20,769 incidents take a few MB. An export with
 * one row per incident goes through the same path.
 */
export async function* readServiceNow(input: Readable, opts: ReaderOptions = {}): AsyncGenerator<ReadItem> {
  const latest = new Map<string, Latest>();
  for await (const item of csvRecords(input, REQUIRED)) {
    if ('skip' in item) {
      yield item;
      continue;
    }
    opts.onRecord?.(item.line);
    const { line, record } = item;
    const number = present(record.number);
    if (!number) {
      yield { line, skip: 'no number' };
      continue;
    }
    const modCount = Number(present(record.sys_mod_count) ?? NaN);
    if (!Number.isInteger(modCount)) {
      yield { line, skip: `bad sys_mod_count ${quoted(record.sys_mod_count)}` };
      continue;
    }
    const held = latest.get(number);
    if (held && held.modCount > modCount) continue;
    latest.set(number, {
      line,
      modCount,
      openedAt: record.opened_at,
      resolvedAt: record.resolved_at,
      category: record.category,
      priority: record.priority,
      title: present(record.short_description),
    });
  }
  for (const [number, row] of latest) yield toIncident(number, row);
}

function toIncident(number: string, row: Latest): ReadItem {
  const { line } = row;
  const declaredAt = serviceNowDate(row.openedAt);
  if (declaredAt === null) return { line, skip: 'no opened_at' };
  if (declaredAt === 'bad') return { line, skip: `bad opened_at ${quoted(row.openedAt)}` };
  const resolvedAt = serviceNowDate(row.resolvedAt);
  if (resolvedAt === 'bad') return { line, skip: `bad resolved_at ${quoted(row.resolvedAt)}` };
  // An uncategorised incident still counts for MTTR; the class map can file it under a runbook.
  const category = present(row.category) ?? UNCATEGORIZED;
  const severity = priority(row.priority);
  if (severity === null) return { line, skip: `bad priority ${quoted(row.priority)}` };
  const incident: PastIncident = {
    externalId: number,
    category,
    severity,
    title: row.title ?? number,
    declaredAt,
    acknowledgedAt: null,
    diagnosedAt: null,
    // A closed incident without resolved_at was never resolved: it counts as unresolved.
    resolvedAt,
  };
  return { line, incident };
}

/** `1 - Critical` … `4 - Low`; the number decides, since instances rename the labels. */
function priority(value: string | undefined): number | null {
  const m = /^\s*([1-4])\s*-/.exec(value ?? '');
  return m ? Number(m[1]) : null;
}

/** ServiceNow writes `?` for a missing value. */
function present(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v && v !== '?' ? v : undefined;
}
