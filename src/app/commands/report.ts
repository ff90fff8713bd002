import { InvalidArgumentError } from 'commander';
import { loadDatabaseUrl } from '../config';
import type { Figures, MttrReport } from '../../core/reports';
import { formatDuration, formatRate, postmortemsLine, duplicatesLine } from '../../core/render/report-text';
import { loadCatalog } from '../../core/runbook/loader';
import { createPool } from '../../store/db';
import { PgReports } from '../../store/reports';

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/;

export interface MttrOptions {
  since?: Date;
  until?: Date;
  json?: boolean;
}

export interface MttrArgs {
  since: Date;
  until: Date;
  json: boolean;
}

/** `incident-bot report mttr`: 0 done, 2 when the window is empty (said on stderr). */
export async function mttrCommand(opts: MttrOptions): Promise<number> {
  const parsed = mttrWindow(opts, new Date());
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n`);
    return 2;
  }
  const catalog = loadCatalog(process.env.PLAYBOOKS_DIR ?? './playbooks');
  const pool = createPool(loadDatabaseUrl(), 2);
  try {
    const report = await new PgReports(pool).mttr(parsed, catalog.coveredClasses());
    process.stdout.write(parsed.json ? `${JSON.stringify(report, null, 2)}\n` : reportTable(report));
    return 0;
  } finally {
    await pool.end();
  }
}

/** The window: --until defaults to now, --since to 30 days before --until; a problem comes back as text. */
export function mttrWindow(opts: MttrOptions, now: Date): MttrArgs | string {
  const until = opts.until ?? now;
  const since = opts.since ?? new Date(until.getTime() - 30 * DAY_MS);
  if (since.getTime() >= until.getTime()) return `--since (${since.toISOString()}) must be before --until (${until.toISOString()}).`;
  return { since, until, json: opts.json === true };
}

/** YYYY-MM-DD or an ISO date-time, UTC unless it names a zone; for the parser of --since and --until. */
export function parseReportDate(value: string): Date {
  // A bare date or a time without a zone means UTC, whatever the machine's zone is.
  const text = DATE.test(value) ? `${value}T00:00:00Z` : DATE_TIME.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value;
  const d = new Date(text);
  // Date accepts 2026-02-30 and rolls it over; a typo must not silently move the window.
  if ((!DATE.test(value) && !DATE_TIME.test(value)) || Number.isNaN(d.getTime()) || (DATE.test(value) && d.toISOString().slice(0, 10) !== value)) {
    throw new InvalidArgumentError(`"${value}" is not a date: use YYYY-MM-DD or an ISO date-time such as 2026-05-01T08:00:00Z.`);
  }
  return d;
}

type Cell = string | number;

/** Columns padded to their widest cell; names to the left, numbers to the right. */
function table(header: string[], rows: Cell[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...cells.slice(1).map(line)].map((l) => `  ${l}`).join('\n');
}

// `diag ≤15m` is the JSON's diagnosed_within_15m_rate; `in time` counts each incident against its
// own runbook's diagnose_within. The clocks issue 24 added follow, so older columns keep their place.
const FIGURE_HEADER = [
  'incidents',
  'resolved',
  'MTTR',
  'p50',
  'p90',
  'MTTA',
  'diag ≤15m',
  'recurring',
  'mitigate',
  'p50',
  'p90',
  'diagnose',
  'p50',
  'p90',
  'in time',
  'by cause',
  'from impact',
];

function figureCells(f: Figures): Cell[] {
  const d = (s: number | null | undefined) => formatDuration(s ?? null);
  return [
    f.incidents,
    f.resolved,
    formatDuration(f.mttr_seconds),
    formatDuration(f.mttr_p50_seconds),
    formatDuration(f.mttr_p90_seconds),
    formatDuration(f.mtta_seconds),
    formatRate(f.diagnosed_within_15m_rate),
    formatRate(f.recurrence_rate),
    d(f.time_to_mitigate_seconds),
    d(f.time_to_mitigate_p50_seconds),
    d(f.time_to_mitigate_p90_seconds),
    d(f.time_to_diagnose_seconds),
    d(f.time_to_diagnose_p50_seconds),
    d(f.time_to_diagnose_p90_seconds),
    formatRate(f.diagnosed_in_time_rate ?? null),
    formatRate(f.recurrence_by_cause_rate ?? null),
    d(f.mttr_from_impact_seconds),
  ];
}

export function reportTable(r: MttrReport): string {
  const out = [
    `Incident KPIs from ${r.since} to ${r.until} (declared in [since, until), cancelled left out)`,
    '',
    table(['', ...FIGURE_HEADER], [['overall', ...figureCells(r.overall)]]),
    '',
    ...(r.overall.postmortems ? [`Post-mortems: ${postmortemsLine(r.overall.postmortems)}`, ''] : []),
    ...(r.overall.duplicates !== undefined ? [`Duplicates: ${duplicatesLine(r.overall.duplicates)}`, ''] : []),
    ...(r.overall.validated_rate != null
      ? [`Validated before resolving: ${formatRate(r.overall.validated_rate)} of the resolves that recorded their quick validation.`, '']
      : []),
    'By class',
    table(
      ['class', 'runbook', ...FIGURE_HEADER],
      r.classes.map((c) => [c.class, c.has_runbook ? 'yes' : 'no', ...figureCells(c)]),
    ),
    '',
    'By severity',
    table(
      ['severity', ...FIGURE_HEADER],
      r.severities.map((s) => [`SEV${s.severity}`, ...figureCells(s)]),
    ),
    '',
    // What the columns after `recurring` count, where their denominators are not every incident.
    'Mitigate and diagnose: time from the declaration (mean, p50, p90) over the incidents that recorded it. In time: diagnosed within',
    "the incident's own runbook's diagnose_within, of all incidents. From impact: mean MTTR from impact start, where it is known.",
    `By cause: recurring by cause category, over the ${r.overall.with_cause_category ?? 0} incident${r.overall.with_cause_category === 1 ? '' : 's'} whose post-mortem names one; the others are left out.`,
    '',
    `Runbook coverage: ${formatRate(r.runbook_coverage)} of incidents have a runbook for their class.`,
    r.uncovered_top_classes.length > 0
      ? `Most frequent classes without a runbook: ${r.uncovered_top_classes.map((u) => `${u.class} (${u.incidents})`).join(', ')}.`
      : 'Every class in the window has a runbook.',
  ];
  return `${out.join('\n')}\n`;
}
