import type { ActionItem } from '../model';

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar day of `at` in the team's time zone (IANA, TEAM_TZ), YYYY-MM-DD. Every "today",
 * "due today" and "overdue" goes through here, so a reminder and the screen never disagree.
 */
export function localDay(at: Date, tz: string): string {
  let f = formats.get(tz);
  if (!f) {
    // en-CA writes YYYY-MM-DD; the formatter is cached because zone data is costly to load.
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(tz, f);
  }
  return f.format(at);
}

/** Whether an open item is past its due day: it is due the whole of that day in the team's zone. */
export function isOverdue(item: Pick<ActionItem, 'dueOn' | 'closedAt'>, at: Date, tz: string): boolean {
  return !item.closedAt && item.dueOn !== null && item.dueOn < localDay(at, tz);
}

/**
 * Whether this runtime knows `tz` as an IANA zone: TEAM_TZ at start, and whatever zone a platform
 * sends for the person typing (which may be anything).
 */
export function knownZone(tz: string | null | undefined): tz is string {
  if (!tz || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
