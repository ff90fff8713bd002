import type { Figures, MttrReport } from '../../../core/reports';
import { formatDuration, formatRate, NONE, postmortemsLine } from '../../../core/render/report-text';
import { html, jsonScript, type SafeHtml } from '../html';
import { ASSETS, layout, type PageContext } from './layout';

export interface DashboardFollowUps {
  postmortemsOpen: number;
  itemsOpen: number;
  itemsOverdue: number;
}

export interface DashboardPageInput extends PageContext {
  /** One report per week, oldest first; `start` is the week's first instant. */
  weeks: Array<{ start: Date; report: MttrReport }>;
  last30: MttrReport;
  /** Open post-mortems and action items now; null where they could not be read. */
  followUps: DashboardFollowUps | null;
}

/** What console.js draws the charts from, embedded in the page as JSON. */
export interface DashboardData {
  /** The weeks' first days, YYYY-MM-DD (UTC), oldest first. */
  weeks: string[];
  charts: DashboardChart[];
}

export interface DashboardChart {
  id: string;
  title: string;
  /** `minutes` for durations, `percent` for shares. */
  unit: 'minutes' | 'percent';
  /** "All classes" first, then each class charted; null where the week has no figure. */
  series: Array<{ label: string; values: Array<number | null> }>;
}

/** The classes each chart draws besides the overall line: the busiest over the weeks shown. */
export const CHART_CLASSES = 8;
const ALL = 'All classes';

interface Metric {
  id: string;
  title: string;
  unit: 'minutes' | 'percent';
  pick(f: Figures): number | null;
}

/** The figures charted per week, with the report's own definitions (src/core/reports.ts, README "Reports"). */
const METRICS: Metric[] = [
  { id: 'mttr-mean', title: 'MTTR, mean (declared → resolved)', unit: 'minutes', pick: (f) => f.mttr_seconds },
  { id: 'mttr-p50', title: 'MTTR, p50', unit: 'minutes', pick: (f) => f.mttr_p50_seconds },
  { id: 'mttr-p90', title: 'MTTR, p90', unit: 'minutes', pick: (f) => f.mttr_p90_seconds },
  { id: 'mtta', title: 'MTTA, mean (declared → a responder acknowledged)', unit: 'minutes', pick: (f) => f.mtta_seconds },
  { id: 'mttd', title: 'Time to detect, mean (impact start → declared, where the start is known)', unit: 'minutes', pick: (f) => f.mttd_seconds ?? null },
  { id: 'mitigate', title: 'Time to mitigate, mean (declared → mitigated)', unit: 'minutes', pick: (f) => f.time_to_mitigate_seconds ?? null },
  { id: 'diagnose', title: 'Time to diagnose, mean (declared → cause identified)', unit: 'minutes', pick: (f) => f.time_to_diagnose_seconds ?? null },
  { id: 'recurrence', title: 'Recurrence (same class resolved in the 30 days before)', unit: 'percent', pick: (f) => f.recurrence_rate },
  {
    id: 'recurrence-cause',
    title: 'Recurrence by cause (same cause category resolved in the 30 days before; of incidents with a category)',
    unit: 'percent',
    pick: (f) => f.recurrence_by_cause_rate ?? null,
  },
  // Each incident against its own runbook's diagnose_within; hand-built figures may only have the 15 minutes.
  {
    id: 'diagnosed-in-time',
    title: "Diagnosed within its runbook's limit",
    unit: 'percent',
    pick: (f) => (f.diagnosed_in_time_rate !== undefined ? f.diagnosed_in_time_rate : f.diagnosed_within_15m_rate),
  },
];

/** The KPIs of the last 30 days as figures, then each week's per class as charts with their tables. */
export function dashboardPage(input: DashboardPageInput): string {
  const raw = rawCharts(input.weeks);
  const data = chartData(input.weeks, raw);
  const body = html`<h1>Dashboard</h1>
<p class="lead">Last 30 days: ${windowWords(input.last30)}. Figures count incidents declared in the window; cancelled ones are left out.</p>
${figureCards(input.last30, input.followUps)}
<section class="panel" aria-labelledby="weekly-heading">
<h2 id="weekly-heading">Week by week</h2>
${
  input.weeks.length === 0
    ? html`<p class="empty">No weekly figures yet.</p>`
    : html`<p class="help">${weeksNote(input.weeks, data)}</p>
${jsonScript('dashboard-data', data)}
<div class="charts">${raw.map((c) => chartHtml(c, data.weeks))}</div>`
}
</section>`;
  return layout({ ...input, title: 'Dashboard', nav: 'dashboard', body, scripts: [ASSETS.chart] });
}

function windowWords(r: MttrReport): string {
  return `${r.since.slice(0, 10)} to ${r.until.slice(0, 10)} UTC`;
}

function weeksNote(weeks: DashboardPageInput['weeks'], data: DashboardData): string {
  const classes = data.charts[0]?.series.length ? data.charts[0].series.length - 1 : 0;
  const all = new Set(weeks.flatMap((w) => w.report.classes.map((c) => c.class))).size;
  const which = classes < all ? `the ${classes} classes with the most incidents (of ${all})` : `every class (${all})`;
  return `${weeks.length} week${weeks.length === 1 ? '' : 's'}, all classes together and ${which}. Each chart has its figures in a table below it.`;
}

// ---- figures -----------------------------------------------------------------------------------

function card(title: string, value: string, detail: SafeHtml | string, extra = ''): SafeHtml {
  return html`<div class="card${extra ? ` ${extra}` : ''}"><dt>${title}</dt><dd class="value">${value}</dd><dd class="detail">${detail}</dd></div>`;
}

function figureCards(r: MttrReport, follow: DashboardFollowUps | null): SafeHtml {
  const o = r.overall;
  const pm = o.postmortems;
  const pmValue = pm && pm.share !== null ? `${Math.round(pm.share * 100)}%` : NONE;
  const uncovered = r.uncovered_top_classes;
  const coverageDetail =
    uncovered.length === 0
      ? html`of incidents have a runbook for their class.`
      : html`of incidents have a runbook for their class. Most frequent without one: ${uncovered.map(
          (u, i) => html`${i > 0 ? ', ' : ''}<code>${u.class}</code> (${u.incidents})`,
        )}.`;
  return html`<section class="panel" aria-labelledby="figures-heading">
<h2 id="figures-heading">Last 30 days</h2>
<dl class="cards">
${card('Incidents', String(o.incidents), `${o.resolved} resolved`)}
${card('MTTR', formatDuration(o.mttr_seconds), `p50 ${formatDuration(o.mttr_p50_seconds)} · p90 ${formatDuration(o.mttr_p90_seconds)} · declared → resolved, mean over resolved incidents`)}
${o.mttr_from_impact_seconds != null ? card('MTTR from impact start', formatDuration(o.mttr_from_impact_seconds), `p50 ${formatDuration(o.mttr_from_impact_p50_seconds ?? null)} · p90 ${formatDuration(o.mttr_from_impact_p90_seconds ?? null)} · impact start → resolved, over resolved incidents whose impact start is known`) : ''}
${card('MTTA', formatDuration(o.mtta_seconds), 'declared → a responder acknowledged, mean over incidents a responder acknowledged')}
${o.unacknowledged_rate !== undefined ? card('Acknowledged by nobody', formatRate(o.unacknowledged_rate), 'of all incidents: no responder acknowledged (a button, /incident ack, PagerDuty, or the on-call declaring)') : ''}
${o.mttd_seconds != null ? card('Time to detect', formatDuration(o.mttd_seconds), 'impact start → declared, mean over incidents whose start is known (an alert, /incident started)') : ''}
${o.time_to_mitigate_seconds != null ? card('Time to mitigate', formatDuration(o.time_to_mitigate_seconds), `p50 ${formatDuration(o.time_to_mitigate_p50_seconds ?? null)} · p90 ${formatDuration(o.time_to_mitigate_p90_seconds ?? null)} · declared → mitigated, mean over mitigated incidents`) : ''}
${o.time_to_diagnose_seconds != null ? card('Time to diagnose', formatDuration(o.time_to_diagnose_seconds), `p50 ${formatDuration(o.time_to_diagnose_p50_seconds ?? null)} · p90 ${formatDuration(o.time_to_diagnose_p90_seconds ?? null)} · declared → cause identified, mean over diagnosed incidents`) : ''}
${o.validated_rate != null ? card('Validated before resolving', formatRate(o.validated_rate), 'of resolves that recorded the quick validation: every check confirmed') : ''}
${
  o.diagnosed_in_time_rate !== undefined
    ? card(
        "Diagnosed within its runbook's limit",
        formatRate(o.diagnosed_in_time_rate),
        "of all incidents, each against its runbook's diagnose_within (undiagnosed ones count as not)",
      )
    : card('Diagnosed within 15 min', formatRate(o.diagnosed_within_15m_rate), 'of all incidents (undiagnosed ones count as not)')
}
${card('Recurrence', formatRate(o.recurrence_rate), 'of incidents recur: same class resolved in the 30 days before')}
${o.with_cause_category ? card('Recurrence by cause', formatRate(o.recurrence_by_cause_rate ?? null), `of the ${o.with_cause_category} incident${o.with_cause_category === 1 ? '' : 's'} whose post-mortem names a cause category: the same category resolved in the 30 days before. Incidents without one are left out.`) : ''}
${card('Runbook coverage', formatRate(r.runbook_coverage), coverageDetail, 'card-wide')}
${card('Post-mortems closed', pmValue, pm ? `Post-mortems: ${postmortemsLine(pm)}` : 'not reported')}
${
  follow
    ? html`${card('Open post-mortems', String(follow.postmortemsOpen), 'not closed yet, across all incidents', follow.postmortemsOpen > 0 ? 'card-attention' : '')}
${card('Overdue action items', String(follow.itemsOverdue), `of ${follow.itemsOpen} open action item${follow.itemsOpen === 1 ? '' : 's'}`, follow.itemsOverdue > 0 ? 'card-alert' : '')}`
    : card('Follow-up', NONE, 'open post-mortems and action items could not be read')
}
</dl>
</section>`;
}

// ---- charts ------------------------------------------------------------------------------------

/** Each metric's raw figures (seconds, shares) per series and week: the tables show these, the charts derive theirs. */
interface RawChart {
  metric: Metric;
  series: Array<{ label: string; values: Array<number | null> }>;
}

function rawCharts(weeks: DashboardPageInput['weeks']): RawChart[] {
  const totals = new Map<string, number>();
  for (const w of weeks) for (const c of w.report.classes) totals.set(c.class, (totals.get(c.class) ?? 0) + c.incidents);
  const classes = [...totals.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, CHART_CLASSES)
    .map(([c]) => c);
  const value = (m: Metric, f: Figures | undefined): number | null => {
    const v = f ? m.pick(f) : null;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  return METRICS.map((metric) => ({
    metric,
    series: [
      { label: ALL, values: weeks.map((w) => value(metric, w.report.overall)) },
      ...classes.map((c) => ({
        label: c,
        values: weeks.map((w) =>
          value(
            metric,
            w.report.classes.find((x) => x.class === c),
          ),
        ),
      })),
    ],
  }));
}

/** The charts' data: every metric per week, overall and for the busiest classes; minutes and percentages, to 0.1. */
export function dashboardData(weeks: DashboardPageInput['weeks']): DashboardData {
  return chartData(weeks, rawCharts(weeks));
}

function chartData(weeks: DashboardPageInput['weeks'], raw: RawChart[]): DashboardData {
  const scale = (m: Metric, v: number | null) => (v === null ? null : m.unit === 'minutes' ? round1(v / 60) : round1(v * 100));
  return {
    // The report windows are UTC instants, as the page's other ranges say; a week is named by its UTC start day.
    weeks: weeks.map((w) => w.start.toISOString().slice(0, 10)),
    charts: raw.map(({ metric, series }) => ({
      id: metric.id,
      title: metric.title,
      unit: metric.unit,
      series: series.map((s) => ({ label: s.label, values: s.values.map((v) => scale(metric, v)) })),
    })),
  };
}

function chartHtml(c: RawChart, weeks: string[]): SafeHtml {
  const m = c.metric;
  const headingId = `chart-${m.id}-heading`;
  return html`<figure class="chart" aria-labelledby="${headingId}">
<figcaption><h3 id="${headingId}">${m.title}</h3> <span class="unit">${m.unit === 'minutes' ? 'in minutes' : 'in % of incidents'}, per week</span></figcaption>
<div class="chart-box"><canvas data-chart="${m.id}" role="img" aria-label="${`${m.title}, per week: the table below has the figures`}"></canvas></div>
<details class="chart-table"><summary>Table</summary>
<div class="table-wrap"><table>
<caption class="visually-hidden">${m.title}, per week</caption>
<thead><tr><th scope="col">Week of</th>${c.series.map((s) => html`<th scope="col">${s.label}</th>`)}</tr></thead>
<tbody>${weeks.map((w, i) => html`<tr><th scope="row">${w}</th>${c.series.map((s) => html`<td>${cell(m.unit, s.values[i] ?? null)}</td>`)}</tr>`)}</tbody>
</table></div>
</details>
</figure>`;
}

/** A table cell in the report's own formats: durations as `1h 02m`, shares as `33.3%`, `—` without data. */
function cell(unit: Metric['unit'], v: number | null): string {
  return unit === 'minutes' ? formatDuration(v) : formatRate(v);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
