import type { Pool } from 'pg';
import type { ClassFigures, ClockFigure, Figures, MttrReport, ReportWindow, Reports, SeverityFigures } from '../core/reports';
import { inTransaction } from './db';

/**
 * Every figure of the report in one statement. How each is defined is the README's "Reports";
 * the choices below are about speed:
 *
 *  - `win` reads the window through `incidents_declared` (its predicate is the same `status <> 'cancelled'`).
 *  - Recurrence does not probe the index once per incident (a million probes for a long window).
 *    The window's declarations and its classes' resolutions from 30 days before `since` are merged
 *    into one timeline per class; the latest resolution before each declaration is a running max.
 *    A resolution at the very instant of a declaration sorts after it (`kind`), as [d − 30 d, d)
 *    leaves it out. Cancelled incidents never have `resolved_at` (`cancelled_has_time`,
 *    `not_both_ended`), so resolutions need no status filter and stay an index-only scan.
 *  - The LATERAL with OFFSET 0 keeps one range scan of `incidents_class_resolved` per class: the
 *    planner otherwise guesses 200 classes and reads the whole table for a 30-day window.
 *  - Sorting and grouping by class in the "C" collation (bytes): only equality matters there, and
 *    locale-aware comparison was most of the cost of the sorts.
 *  - Every figure per class, per severity and overall from one GROUPING SETS pass; percentile_cont
 *    with an array sorts each group's durations once for both p50 and p90.
 *  - Post-mortems join on the `postmortems` primary key (at most one per incident, so the join
 *    never repeats an incident). The planner hashes the window and scans `postmortems` once: on a
 *    million incidents with 220k post-mortems that cost the report 15-25 % more than without the
 *    join, less than an index probe per window incident would for long windows. A closed
 *    post-mortem always belongs to a major incident (it has a row), so `pm_closed` needs no `major`.
 *  - The clocks (0026: from impact, to mitigate, to diagnose, diagnosed in time) are columns of
 *    `win` and aggregates of the same pass; their p50/p90 are percentile_cont arrays like MTTR's.
 *  - Recurrence by cause runs the class rule over the window incidents whose post-mortem names a
 *    category, and is aggregated apart (`by_cause`), then joined by group: a UNION into `flagged`
 *    would make the main pass sort again instead of using the order its window sort leaves. The
 *    earlier resolutions come from `incidents_resolved` (index-only over the range, any class)
 *    hashed against the categorised post-mortems (index-only, `postmortems_cause_incident`), behind
 *    OFFSET 0: left to itself the planner probed the incidents' primary key once per categorised
 *    post-mortem, 15-20 times slower on a million incidents with 53k categorised post-mortems.
 */
const MTTR_SQL = `
WITH win AS (
  SELECT i.class, i.severity, i.declared_at,
         date_part('epoch', i.resolved_at - i.declared_at) AS ttr,
         -- MTTR from impact start: only where an alert, \`/incident started\` or an import said when impact began.
         date_part('epoch', i.resolved_at - i.impact_started_at) AS ttr_impact,
         -- MTTA is declared → a responder's acknowledgement (button, command, the on-call declaring,
         -- PagerDuty, imported history); the older acknowledgements by working the incident (0016) are left out.
         CASE WHEN i.acknowledged_via IS NULL OR i.acknowledged_via IN ('button', 'command', 'declare', 'pagerduty', 'import')
              THEN date_part('epoch', i.acknowledged_at - i.declared_at) END AS tta,
         date_part('epoch', i.mitigated_at - i.declared_at) AS ttm,
         date_part('epoch', i.diagnosed_at - i.declared_at) AS ttdiag,
         i.diagnosed_at - i.declared_at <= interval '15 minutes' AS quick,
         -- Against the incident's own runbook's diagnose_within (0026), not a fixed 15 minutes.
         i.diagnosed_at - i.declared_at <= i.diagnose_within_seconds * interval '1 second' AS on_time,
         -- Time to detect: only where an alert (or an import) said when impact began.
         date_part('epoch', i.declared_at - i.impact_started_at) AS ttd,
         -- Imported history never had the bot's post-mortems: only a bot-declared SEV1/SEV2 owes one.
         (i.severity <= 2 AND i.imported_from IS NULL) OR pm.incident_id IS NOT NULL AS major,
         pm.status = 'closed' AS pm_closed,
         date_part('epoch', pm.closed_at - i.resolved_at) AS pm_close,
         -- Validate, then resolve: null where nothing was asked (older, imported, no checks).
         CASE WHEN i.resolved_at IS NOT NULL THEN i.validation_confirmed END AS validated,
         pm.cause_category AS cause
  FROM incidents i
  LEFT JOIN postmortems pm ON pm.incident_id = i.id
  WHERE i.declared_at >= $1 AND i.declared_at < $2 AND i.status <> 'cancelled'
),
resolutions AS (
  SELECT c.class, p.resolved_at
  FROM (SELECT DISTINCT class FROM win) c
  CROSS JOIN LATERAL (
    SELECT resolved_at FROM incidents
    WHERE class = c.class AND resolved_at >= $1::timestamptz - interval '30 days' AND resolved_at < $2
    OFFSET 0
  ) p
),
timeline AS (
  SELECT class COLLATE "C" AS class, severity, declared_at AS at, 0 AS kind, ttr, ttr_impact, tta, ttm, ttdiag, ttd, quick, on_time,
         major, pm_closed, pm_close, validated, NULL::timestamptz AS resolved
  FROM win
  UNION ALL
  SELECT class COLLATE "C", NULL, resolved_at, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, resolved_at
  FROM resolutions
),
flagged AS (
  SELECT class, severity, kind, ttr, ttr_impact, tta, ttm, ttdiag, ttd, quick, on_time, major, pm_closed, pm_close, validated,
         COALESCE(max(resolved) OVER (PARTITION BY class ORDER BY at, kind ROWS UNBOUNDED PRECEDING) >= at - interval '30 days', false) AS recurs
  FROM timeline
),
-- Recurrence by cause, the class rule again over the incidents whose post-mortem names a cause
-- category only (a few, next to the window): their declarations and the resolutions of earlier
-- incidents with the same category, one timeline per category, a running max.
cause_resolutions AS (
  SELECT pm.cause_category AS cause, e.resolved_at
  FROM (SELECT id, resolved_at FROM incidents WHERE resolved_at >= $1::timestamptz - interval '30 days' AND resolved_at < $2 OFFSET 0) e
  JOIN postmortems pm ON pm.incident_id = e.id
  WHERE pm.cause_category IN (SELECT cause FROM win WHERE cause IS NOT NULL)
),
cause_flagged AS (
  SELECT class, severity, kind,
         COALESCE(max(resolved) OVER (PARTITION BY cause ORDER BY at, kind ROWS UNBOUNDED PRECEDING) >= at - interval '30 days', false) AS recurs_cause
  FROM (
    SELECT class COLLATE "C" AS class, severity, cause COLLATE "C" AS cause, declared_at AS at, 0 AS kind, NULL::timestamptz AS resolved
    FROM win WHERE cause IS NOT NULL
    UNION ALL
    SELECT NULL, NULL, cause COLLATE "C", resolved_at, 1, resolved_at FROM cause_resolutions
  ) t
),
main AS (
  SELECT GROUPING(class, severity) AS grouping, class, severity,
         count(*)::int AS incidents,
         count(ttr)::int AS resolved,
         avg(ttr) AS mttr,
         percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY ttr) AS mttr_pct,
         avg(ttr_impact) AS mttr_impact,
         percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY ttr_impact) AS mttr_impact_pct,
         avg(tta) AS mtta,
         count(*) FILTER (WHERE tta IS NULL)::float8 / NULLIF(count(*), 0) AS unacked_rate,
         avg(ttd) AS mttd,
         avg(ttm) AS ttm,
         percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY ttm) AS ttm_pct,
         avg(ttdiag) AS ttdiag,
         percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY ttdiag) AS ttdiag_pct,
         count(*) FILTER (WHERE quick)::float8 / NULLIF(count(*), 0) AS quick_rate,
         count(*) FILTER (WHERE on_time)::float8 / NULLIF(count(*), 0) AS on_time_rate,
         count(*) FILTER (WHERE validated)::float8 / NULLIF(count(validated), 0) AS validated_rate,
         count(*) FILTER (WHERE recurs)::float8 / NULLIF(count(*), 0) AS recur_rate,
         count(*) FILTER (WHERE major)::int AS pm_major,
         count(*) FILTER (WHERE pm_closed)::int AS pm_closed,
         avg(pm_close) FILTER (WHERE pm_closed) AS pm_close,
         class = ANY($3::text[]) AS has_runbook,
         count(*) FILTER (WHERE class = ANY($3::text[]))::float8 / NULLIF(count(*), 0) AS coverage
  FROM flagged
  WHERE kind = 0
  GROUP BY GROUPING SETS ((class), (severity), ())
),
-- Aggregated apart over the few incidents with a category, and joined to the main figures by
-- group: merged into the main rows they would cost that pass the order the window sort gives it.
by_cause AS (
  SELECT GROUPING(class, severity) AS grouping, class, severity,
         count(*)::int AS with_cause,
         count(*) FILTER (WHERE recurs_cause)::float8 / NULLIF(count(*), 0) AS recur_cause_rate
  FROM cause_flagged
  WHERE kind = 0
  GROUP BY GROUPING SETS ((class), (severity), ())
)
SELECT m.*, COALESCE(b.with_cause, 0) AS with_cause, b.recur_cause_rate
FROM main m
LEFT JOIN by_cause b ON b.grouping = m.grouping AND b.class IS NOT DISTINCT FROM m.class AND b.severity IS NOT DISTINCT FROM m.severity
`;

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

export class PgReports implements Reports {
  constructor(private readonly pool: Pool) {}

  async mttr(window: ReportWindow, runbookClasses: string[]): Promise<MttrReport> {
    const rows = await inTransaction(this.pool, async (client) => {
      // A report sorts up to a few million rows once in a while: in memory, and without spending
      // more on JIT compilation (~0.6 s) than it saves. LOCAL: the pooled connection keeps its defaults.
      await client.query(`SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`);
      const figures = (await client.query<Row>(MTTR_SQL, [window.since, window.until, runbookClasses])).rows;
      // Duplicates are cancelled, so `win` leaves them out: counted apart, on their own partial index.
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
}
