import type { ClassFigures, Figures, MttrReport } from '../reports';
import { postmortemsLine } from './report-text';
import type { Text } from '../text/text';

/** Follow-up work still to do when the digest is written, whichever period its incident was in. */
export interface FollowUps {
  /** Action items not closed. */
  actionItemsOpen: number;
  /** Of those, the ones due before the day the period ends on (in the digest's zone). */
  actionItemsOverdue: number;
  /** Post-mortems not closed. */
  postmortemsOpen: number;
}

export interface DigestInput {
  /** The week that just ended, and the one before it, as Reports.mttr returned them. */
  current: MttrReport;
  previous: MttrReport;
  period: { start: Date; end: Date };
  /** The zone the schedule is read in: the period's dates are shown in it. */
  tz: string;
  /** Incidents open when the digest is written (the report only sees declarations in its window). */
  openNow: number;
  /** Shown under "Open now" when given; WeeklyDigest always gives it. */
  followUps?: FollowUps;
}

const TOP_CLASSES = 10;

type Better = 'lower' | 'higher';

/** The weekly KPI digest as neutral Text: each figure against the week before, with whether that is good. */
export function digestText(d: DigestInput): Text {
  const out: Text = [
    { strong: 'Weekly incident digest' },
    ` · ${periodLabel(d.period, d.tz)}, against the week before\n`,
    '🟢 better · 🔴 worse · ⚪ unchanged. Lower is better for incidents, MTTR, MTTA and recurrence, and for every time to detect, mitigate or diagnose.\n\n',
    `Open now: ${d.openNow} incident${d.openNow === 1 ? '' : 's'}\n`,
    ...(d.followUps
      ? [
          `Post-mortems open: ${d.followUps.postmortemsOpen}\n`,
          `Action items: ${d.followUps.actionItemsOpen} open, ${d.followUps.actionItemsOverdue} overdue\n`,
        ]
      : []),
    `Runbook coverage: ${line(d.current.runbook_coverage, d.previous.runbook_coverage, percent, 'higher')}\n\n`,
    { strong: 'All incidents' },
    '\n',
    ...figureLines(d.current.overall, d.previous.overall),
  ];
  // The period's major incidents only, without the week before: most post-mortems close weeks later.
  if (d.current.overall.postmortems) out.push(`• Post-mortems: ${postmortemsLine(d.current.overall.postmortems)}\n`);
  const classes = [...d.current.classes].sort((a, b) => b.incidents - a.incidents || a.class.localeCompare(b.class)).slice(0, TOP_CLASSES);
  if (classes.length > 0) {
    out.push('\n', { strong: `By class` }, ` (top ${TOP_CLASSES} by incidents)\n`);
    const before = new Map(d.previous.classes.map((c) => [c.class, c]));
    for (const c of classes) out.push(...classLines(c, before.get(c.class)));
  }
  const uncovered = d.current.uncovered_top_classes.slice(0, 3);
  if (uncovered.length > 0) {
    out.push(`\nNo runbook yet for: ${uncovered.map((u) => `${u.class} (${u.incidents})`).join(', ')}\n`);
  }
  return out;
}

function figureLines(now: Figures, before: Figures | undefined): Text {
  // The clocks show in a week where some incident recorded them, like time to detect.
  // A mean alone hides the long tail, so each clock also gives this week's p50 and p90.
  const spread = (p50: number | null | undefined, p90: number | null | undefined): string =>
    p50 == null || p90 == null ? '' : ` · p50 ${duration(p50)}, p90 ${duration(p90)}`;
  const clock = (label: string, pick: (f: Figures) => number | null | undefined, p50?: number | null, p90?: number | null): string[] => {
    const v = pick(now);
    return v == null ? [] : [`• ${label}: ${line(v, (before && pick(before)) ?? null, duration, 'lower')}${spread(p50, p90)}\n`];
  };
  return [
    `• Incidents: ${line(now.incidents, before?.incidents ?? 0, String, 'lower')}\n`,
    `• MTTR: ${line(now.mttr_seconds, before?.mttr_seconds ?? null, duration, 'lower')}${spread(now.mttr_p50_seconds, now.mttr_p90_seconds)}\n`,
    ...clock('MTTR from impact start', (f) => f.mttr_from_impact_seconds, now.mttr_from_impact_p50_seconds, now.mttr_from_impact_p90_seconds),
    `• MTTA: ${line(now.mtta_seconds, before?.mtta_seconds ?? null, duration, 'lower')}\n`,
    ...(now.unacknowledged_rate !== undefined
      ? [`• Acknowledged by nobody: ${line(now.unacknowledged_rate, before?.unacknowledged_rate ?? null, percent, 'lower')}\n`]
      : []),
    ...(now.mttd_seconds != null
      ? [`• Time to detect (impact start → declared): ${line(now.mttd_seconds, before?.mttd_seconds ?? null, duration, 'lower')}\n`]
      : []),
    ...clock('Time to mitigate (declared → mitigated)', (f) => f.time_to_mitigate_seconds, now.time_to_mitigate_p50_seconds, now.time_to_mitigate_p90_seconds),
    ...clock(
      'Time to diagnose (declared → cause identified)',
      (f) => f.time_to_diagnose_seconds,
      now.time_to_diagnose_p50_seconds,
      now.time_to_diagnose_p90_seconds,
    ),
    `• Recurrence: ${line(now.recurrence_rate, before?.recurrence_rate ?? null, percent, 'lower')}\n`,
    // Only incidents whose post-mortem names a cause category count: the line says how many.
    ...(now.with_cause_category
      ? [
          `• Recurrence by cause: ${line(now.recurrence_by_cause_rate ?? null, before?.recurrence_by_cause_rate ?? null, percent, 'lower')}` +
            ` (of ${now.with_cause_category} with a cause category)\n`,
        ]
      : []),
    // Each incident against its own runbook's diagnose_within; hand-built figures may only have the 15 minutes.
    now.diagnosed_in_time_rate !== undefined
      ? `• Diagnosed within its runbook's limit: ${line(now.diagnosed_in_time_rate, before?.diagnosed_in_time_rate ?? null, percent, 'higher')}\n`
      : `• Diagnosed within 15 min: ${line(now.diagnosed_within_15m_rate, before?.diagnosed_within_15m_rate ?? null, percent, 'higher')}\n`,
  ];
}

function classLines(now: ClassFigures, before: ClassFigures | undefined): Text {
  return [{ strong: now.class }, now.has_runbook ? '\n' : ' (no runbook)\n', ...figureLines(now, before).map((s) => (typeof s === 'string' ? `  ${s}` : s))];
}

/** "42 min 🟢 ↓ from 1 h 10 min": the arrow says which way it moved, the colour whether that is good. */
export function line(now: number | null, before: number | null, show: (v: number) => string, better: Better): string {
  if (now === null) return before === null ? 'no data' : `no data (was ${show(before)})`;
  if (before === null) return `${show(now)} (no figure the week before)`;
  // Compared as shown, so "42 min ↑ from 42 min" cannot happen through rounding.
  if (show(now) === show(before)) return `${show(now)} ⚪ → same as the week before`;
  const up = now > before;
  const good = up === (better === 'higher');
  return `${show(now)} ${good ? '🟢' : '🔴'} ${up ? '↑' : '↓'} from ${show(before)}`;
}

export function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const days = Math.floor(h / 24);
  return h % 24 ? `${days} d ${h % 24} h` : `${days} d`;
}

function periodLabel(p: { start: Date; end: Date }, tz: string): string {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return `${f.format(p.start)} to ${f.format(p.end)} (${tz})`;
}
