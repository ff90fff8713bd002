import type { Pool } from 'pg';
import type { ClassFigures, ClockFigure, Figures, MttrReport, ReportWindow, Reports, SeverityFigures } from '../core/reports';
import { inTransaction } from './db';
import { type Buckets, bucketsOf, percentiles } from './report-percentiles';
import { CUM_SETS_SQL, DROP_OLD_SETS_SQL, EXACT_SQL, MORE_THAN_SQL, REBUILD_SQL, ROLLUP_SQL, TAKE_DIRTY_SQL } from './report-sql';

/**
 * Two paths to the same figures (README "Reports"):
 *
 *  - exact, for a window that holds no whole calendar month (UTC) or at most `exactUpTo` incidents:
 *    one statement over the window's incidents (EXACT_SQL), percentile_cont for p50/p90. 50,000 by
 *    default: a month of a million incidents over three years (~28k) stays exact, and its sorts
 *    cost tens of milliseconds; the rollups could not hold a partial month anyway.
 *  - rollups, for the rest: the window's whole months come from the per-month sums and log-scale
 *    buckets of 0029, the partial months at its edges from the incidents (ROLLUP_SQL). Counts,
 *    means and rates are the same sums as the exact path's; p50/p90 are within 1 %. All history on a
 *    million incidents otherwise sorts every duration three times (per class, per severity, overall),
 *    seconds of work no index can spare.
 *
 * Triggers mark the months a change touches (0029); before reading, the rollup path rebuilds the
 * marked months before the window's last whole month, in a transaction of its own that takes the
 * marks first: a change committed after that keeps its mark for the next report. The exclusive lock
 * on `report_cum_sets` only orders reports among themselves; no writer takes it.
 *
 * Why rollups and not only stored recurrence: with the flags alone, all history still took ~4 s on
 * a million incidents, most of it percentile sorts and the pass over every row.
 */

/** GROUPING(class, severity) sets a bit (class 2, severity 1) for each column a row is not grouped by. */
const CLASS_ROW = 1;
const SEVERITY_ROW = 2;
const OVERALL_ROW = 3;

interface Row {
  grouping: number;
  class: string | null;
  severity: number | null;
  incidents: number;
  resolved: number;
  mttr: number | null;
  mttr_pct: Array<number | null> | null;
  mttr_impact: number | null;
  mttr_impact_pct: Array<number | null> | null;
  mtta: number | null;
  ttm: number | null;
  ttm_pct: Array<number | null> | null;
  ttdiag: number | null;
  ttdiag_pct: Array<number | null> | null;
  on_time_rate: number | null;
  with_cause: number;
  recur_cause_rate: number | null;
  unacked_rate: number | null;
  mttd: number | null;
  quick_rate: number | null;
  validated_rate: number | null;
  recur_rate: number | null;
  pm_major: number;
  pm_closed: number;
  pm_close: number | null;
  has_runbook: boolean | null;
  coverage: number | null;
  /** The rollup path's buckets (report-sql.ts), on class and severity rows: comma-separated numbers. */
  h_metric?: string | null;
  h_bucket?: string | null;
  h_n?: string | null;
}

/**
 * The rollup path's p50/p90 in place of percentile_cont's: each row's own buckets, and overall the
 * severities' together.
 */
function withPercentiles(rows: Row[]): Row[] {
  const all = new Map<number, Buckets>();
  const own = new Map<Row, Map<number, Buckets>>();
  const numbers = (list: string) => list.split(',').map(Number);
  for (const r of rows) {
    if (!r.h_metric || !r.h_bucket || !r.h_n) continue;
    const [metric, bucket, n] = [numbers(r.h_metric), numbers(r.h_bucket), numbers(r.h_n)];
    own.set(r, bucketsOf(metric, bucket, n));
    if (r.grouping === SEVERITY_ROW) bucketsOf(metric, bucket, n, all);
  }
  return rows.map((r) => {
    const b = r.grouping === OVERALL_ROW ? all : (own.get(r) ?? new Map<number, Buckets>());
    return { ...r, mttr_pct: percentiles(b.get(1)), mttr_impact_pct: percentiles(b.get(2)), ttm_pct: percentiles(b.get(3)), ttdiag_pct: percentiles(b.get(4)) };
  });
}

function figures(r: Row | undefined): Figures {
  if (!r) {
    return {
      incidents: 0,
      resolved: 0,
      mttr_seconds: null,
      mttr_p50_seconds: null,
      mttr_p90_seconds: null,
      mtta_seconds: null,
      unacknowledged_rate: null,
      mttd_seconds: null,
      validated_rate: null,
      diagnosed_within_15m_rate: null,
      recurrence_rate: null,
      ...clockFigures(undefined),
      postmortems: { major: 0, closed: 0, share: null, mean_seconds_to_close: null },
    };
  }
  return {
    incidents: r.incidents,
    resolved: r.resolved,
    mttr_seconds: r.mttr,
    mttr_p50_seconds: r.mttr_pct?.[0] ?? null,
    mttr_p90_seconds: r.mttr_pct?.[1] ?? null,
    mtta_seconds: r.mtta,
    unacknowledged_rate: r.unacked_rate,
    mttd_seconds: r.mttd,
    validated_rate: r.validated_rate,
    diagnosed_within_15m_rate: r.quick_rate,
    recurrence_rate: r.recur_rate,
    ...clockFigures(r),
    postmortems: {
      major: r.pm_major,
      closed: r.pm_closed,
      share: r.pm_major === 0 ? null : r.pm_closed / r.pm_major,
      mean_seconds_to_close: r.pm_close,
    },
  };
}

/** The figures issue 24 added (0026): every clock with its spread, diagnosis on time, recurrence by cause. */
function clockFigures(r: Row | undefined): Required<Pick<Figures, ClockFigure>> {
  return {
    mttr_from_impact_seconds: r?.mttr_impact ?? null,
    mttr_from_impact_p50_seconds: r?.mttr_impact_pct?.[0] ?? null,
    mttr_from_impact_p90_seconds: r?.mttr_impact_pct?.[1] ?? null,
    time_to_mitigate_seconds: r?.ttm ?? null,
    time_to_mitigate_p50_seconds: r?.ttm_pct?.[0] ?? null,
    time_to_mitigate_p90_seconds: r?.ttm_pct?.[1] ?? null,
    time_to_diagnose_seconds: r?.ttdiag ?? null,
    time_to_diagnose_p50_seconds: r?.ttdiag_pct?.[0] ?? null,
    time_to_diagnose_p90_seconds: r?.ttdiag_pct?.[1] ?? null,
    diagnosed_in_time_rate: r?.on_time_rate ?? null,
    with_cause_category: r?.with_cause ?? 0,
    recurrence_by_cause_rate: r?.recur_cause_rate ?? null,
  };
}

const byIncidentsThenClass = (a: ClassFigures, b: ClassFigures) => b.incidents - a.incidents || (a.class < b.class ? -1 : a.class > b.class ? 1 : 0);

const EXACT_UP_TO = 50_000;
const REBUILD_MONTHS = 4;

/** The first instant of `d`'s month (UTC), or of the next month when `up` and `d` is not one already. */
function monthStart(d: Date, up: boolean): Date {
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  return up && m.getTime() < d.getTime() ? new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)) : m;
}

export class PgReports implements Reports {
  private readonly exactUpTo: number;

  constructor(
    private readonly pool: Pool,
    opts: { exactUpTo?: number } = {},
  ) {
    this.exactUpTo = opts.exactUpTo ?? EXACT_UP_TO;
  }

  async mttr(window: ReportWindow, runbookClasses: string[]): Promise<MttrReport> {
    const first = monthStart(window.since, true);
    const last = monthStart(window.until, false);
    const long = first < last && (await this.pool.query<{ more: boolean }>(MORE_THAN_SQL, [window.since, window.until, this.exactUpTo])).rows[0]!.more;
    if (long) await this.refresh(first, last);
    const rows = await inTransaction(this.pool, async (client) => {
      // A report sorts up to a few hundred thousand rows once in a while: in memory, and without
      // spending more on JIT compilation (~0.6 s) than it saves. LOCAL: the pooled connection keeps its defaults.
      await client.query(`SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`);
      const figures = long
        ? withPercentiles((await client.query<Row>(ROLLUP_SQL, [window.since, window.until, runbookClasses, first, last])).rows)
        : (await client.query<Row>(EXACT_SQL, [window.since, window.until, runbookClasses])).rows;
      // Duplicates are cancelled, so the figures leave them out: counted apart, on their own partial index.
      const dup = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM incidents WHERE duplicate_of IS NOT NULL AND declared_at >= $1 AND declared_at < $2`,
        [window.since, window.until],
      );
      return { figures, duplicates: dup.rows[0]!.n };
    });
    const overall = rows.figures.find((r) => r.grouping === OVERALL_ROW);
    const classes = rows.figures
      .filter((r) => r.grouping === CLASS_ROW)
      .map((r): ClassFigures => ({ class: r.class!, has_runbook: r.has_runbook === true, ...figures(r) }))
      .sort(byIncidentsThenClass);
    const severities = rows.figures
      .filter((r) => r.grouping === SEVERITY_ROW)
      .map((r): SeverityFigures => ({ severity: r.severity!, ...figures(r) }))
      .sort((a, b) => a.severity - b.severity);
    return {
      since: window.since.toISOString(),
      until: window.until.toISOString(),
      overall: { ...figures(overall), duplicates: rows.duplicates },
      classes,
      severities,
      runbook_coverage: overall?.coverage ?? null,
      uncovered_top_classes: classes
        .filter((c) => !c.has_runbook)
        .slice(0, 10)
        .map((c) => ({ class: c.class, incidents: c.incidents })),
    };
  }
  /** Rebuilds the marked months before `last` and keeps the cumulative sets the window reads. */
  private async refresh(first: Date, last: Date): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(`SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`);
      await client.query('LOCK TABLE report_cum_sets IN EXCLUSIVE MODE');
      const months = (await client.query<{ month: Date }>(TAKE_DIRTY_SQL, [last])).rows.map((r) => r.month);
      // At most a few months per statement: after a large import every month is marked, and one
      // statement over all of them could outlast the pool's statement timeout, and roll back every time.
      for (let i = 0; i < months.length;) {
        const from = months[i]!;
        const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + REBUILD_MONTHS, 1));
        const chunk: Date[] = [];
        while (i < months.length && months[i]! < to) chunk.push(months[i++]!);
        await client.query(REBUILD_SQL, [chunk, from, to]);
      }
      await client.query(CUM_SETS_SQL, [[first, last]]);
      await client.query(DROP_OLD_SETS_SQL);
    });
  }
}
