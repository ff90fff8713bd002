import type { Figures, MttrReport, PostmortemFigures } from '../reports';
import type { Text } from '../text/text';

/** Shown for a figure without data, so nobody reads a missing figure as zero. */
export const NONE = '—';

/** Two units, the larger first: "45s", "12m 05s", "1h 02m", "3d 04h". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return NONE;
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
}

/** A share as a percentage with one decimal: 0.3333 → "33.3%". */
export function formatRate(rate: number | null): string {
  return rate === null ? NONE : `${(rate * 100).toFixed(1)}%`;
}

/** Time from resolution to a closed post-mortem, in whole hours (minutes under an hour): "30 h". */
export function formatHours(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return Math.abs(minutes) < 60 ? `${minutes} min` : `${Math.round(seconds / 3600)} h`;
}

/**
 * The post-mortem figures in one line, after its label: "2 of 3 major incidents closed (67%),
 * closed on average 30 h after resolution". Shared by the report and the weekly digest.
 */
export function postmortemsLine(p: PostmortemFigures): string {
  if (p.major === 0) return 'no major incidents';
  const closed = `${p.closed} of ${p.major} major incident${p.major === 1 ? '' : 's'} closed`;
  const share = p.share === null ? '' : ` (${Math.round(p.share * 100)}%)`;
  const mean = p.mean_seconds_to_close === null ? '' : `, closed on average ${formatHours(p.mean_seconds_to_close)} after resolution`;
  return `${closed}${share}${mean}`;
}

/** "2 closed as duplicates of another incident (left out of the figures, like cancels)". */
export function duplicatesLine(n: number): string {
  return `${n} closed as duplicate${n === 1 ? '' : 's'} of another incident (left out of the figures, like cancels)`;
}

const TOP_CLASSES = 10;

/** "40m 00s (p50 30m 00s, p90 1h 16m)". */
export function spread(mean: number | null, p50: number | null | undefined, p90: number | null | undefined): string {
  return `${formatDuration(mean)} (p50 ${formatDuration(p50 ?? null)}, p90 ${formatDuration(p90 ?? null)})`;
}

/**
 * "recurring by cause 67% (of 3 with a cause category)": only incidents whose post-mortem names a
 * category count, so the line says how many did. Null where none did.
 */
export function byCauseLine(f: Figures, rate: (r: number | null) => string = formatRate): string | null {
  if (!f.with_cause_category) return null;
  return `recurring by cause ${rate(f.recurrence_by_cause_rate ?? null)} (of ${f.with_cause_category} with a cause category)`;
}

function figuresLine(f: Figures): string {
  return [
    `${f.incidents} incident${f.incidents === 1 ? '' : 's'}`,
    `MTTR ${spread(f.mttr_seconds, f.mttr_p50_seconds, f.mttr_p90_seconds)}`,
    // Clocks below show only where some incident recorded them: an absent figure is noise, not news.
    ...(f.mttr_from_impact_seconds != null
      ? [`MTTR from impact start ${spread(f.mttr_from_impact_seconds, f.mttr_from_impact_p50_seconds, f.mttr_from_impact_p90_seconds)}`]
      : []),
    `MTTA ${formatDuration(f.mtta_seconds)}`,
    ...(f.unacknowledged_rate !== undefined ? [`acknowledged by nobody ${formatRate(f.unacknowledged_rate)}`] : []),
    ...(f.mttd_seconds != null ? [`time to detect ${formatDuration(f.mttd_seconds)}`] : []),
    ...(f.time_to_mitigate_seconds != null
      ? [`time to mitigate ${spread(f.time_to_mitigate_seconds, f.time_to_mitigate_p50_seconds, f.time_to_mitigate_p90_seconds)}`]
      : []),
    ...(f.time_to_diagnose_seconds != null
      ? [`time to diagnose ${spread(f.time_to_diagnose_seconds, f.time_to_diagnose_p50_seconds, f.time_to_diagnose_p90_seconds)}`]
      : []),
    // Only where some resolve recorded its quick validation.
    ...(f.validated_rate != null ? [`validated before resolving ${formatRate(f.validated_rate)}`] : []),
    // Each incident against its own runbook's diagnose_within; figures built by hand may only have the 15 minutes.
    f.diagnosed_in_time_rate !== undefined
      ? `diagnosed within its runbook's limit ${formatRate(f.diagnosed_in_time_rate)}`
      : `diagnosed within 15 min ${formatRate(f.diagnosed_within_15m_rate)}`,
    `recurring ${formatRate(f.recurrence_rate)}`,
    ...[byCauseLine(f)].filter((l) => l !== null),
  ].join(' · ');
}

/**
 * The KPI report as a chat reply: the overall line, the classes with the most incidents, and how
 * much of the work the runbooks cover. `label` names the window as the person asked ("last 30 days").
 */
export function mttrText(report: MttrReport, label: string): Text {
  const span = `${report.since.slice(0, 10)} to ${report.until.slice(0, 10)} UTC`;
  if (report.overall.incidents === 0) return [{ strong: `Incident KPIs, ${label}` }, ` (${span})\nNo incidents were declared in this window.`];
  const out: Text = [{ strong: `Incident KPIs, ${label}` }, ` (${span})\n`, { strong: 'Overall' }, `: ${figuresLine(report.overall)}`];
  if (report.overall.postmortems) out.push('\n', { strong: 'Post-mortems' }, `: ${postmortemsLine(report.overall.postmortems)}`);
  if (report.overall.duplicates !== undefined) out.push('\n', { strong: 'Duplicates' }, `: ${duplicatesLine(report.overall.duplicates)}`);
  const top = report.classes.slice(0, TOP_CLASSES);
  out.push(`\n\n`, { strong: report.classes.length > top.length ? `Top ${top.length} of ${report.classes.length} classes` : 'By class' });
  for (const c of top) out.push('\n• ', { code: c.class }, `${c.has_runbook ? '' : ' (no runbook)'}: ${figuresLine(c)}`);
  out.push('\n\n', { strong: 'Runbook coverage' }, `: ${formatRate(report.runbook_coverage)} of incidents have a runbook for their class`);
  if (report.uncovered_top_classes.length > 0) {
    out.push('. Most frequent without one: ');
    report.uncovered_top_classes.forEach((u, i) => out.push(i > 0 ? ', ' : '', { code: u.class }, ` (${u.incidents})`));
  }
  out.push('.');
  return out;
}
