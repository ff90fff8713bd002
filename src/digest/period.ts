import { CronExpressionParser } from 'cron-parser';
import { knownZone } from '../core/incident/local-day';

/** A digest covers [start, end): from one fire time of the schedule to the next. */
export interface DigestPeriod {
  start: Date;
  end: Date;
}

/**
 * Why the expression is not a schedule, or null. Five fields, or six with seconds first; the aliases
 * (@weekly) are refused because BullMQ and cron-parser disagree on a few of them.
 */
export function cronProblem(expression: string, tz = 'UTC'): string | null {
  const fields = expression.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return `has ${fields} field(s); write five (minute hour day month weekday) or six (seconds first)`;
  try {
    CronExpressionParser.parse(expression, { tz, strict: false });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function timeZoneProblem(tz: string): string | null {
  return knownZone(tz) ? null : `${tz} is not a time zone this Node knows (use an IANA name such as Europe/Berlin)`;
}

/**
 * The period that ended at the last fire time at or before `now`, in `tz`: the one the digest
 * reports. A run that starts exactly at the boundary still reports the period ending there.
 */
export function lastCompletePeriod(cron: string, tz: string, now: Date): DigestPeriod {
  // cron-parser's prev() is strictly before currentDate; a millisecond on makes "at" count.
  const it = CronExpressionParser.parse(cron, { tz, currentDate: new Date(now.getTime() + 1) });
  const end = it.prev().toDate();
  const start = it.prev().toDate();
  return { start, end };
}

/** The `count` periods ending at the last boundary, oldest first: for trends over several weeks. */
export function recentPeriods(cron: string, tz: string, now: Date, count: number): DigestPeriod[] {
  const it = CronExpressionParser.parse(cron, { tz, currentDate: new Date(now.getTime() + 1) });
  const bounds = Array.from({ length: count + 1 }, () => it.prev().toDate()).reverse();
  return bounds.slice(1).map((end, i) => ({ start: bounds[i]!, end }));
}
