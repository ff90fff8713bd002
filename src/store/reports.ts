import type { Pool } from 'pg';
import type { ClassFigures, Figures, MttrReport, ReportWindow, Reports, SeverityFigures } from '../core/reports';
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
 */
const MTTR_SQL = `
WITH win AS (
  SELECT i.class, i.severity, i.declared_at,
         date_part('epoch', i.resolved_at - i.declared_at) AS ttr,
         -- MTTA is declared → a responder's acknowledgement (button, command, the on-call declaring,
         -- PagerDuty, imported history); the older acknowledgements by working the incident (0016) are left out.
         CASE WHEN i.acknowledged_via IS NULL OR i.acknowledged_via IN ('button', 'command', 'declare', 'pagerduty', 'import')
              THEN date_part('epoch', i.acknowledged_at - i.declared_at) END AS tta,
         i.diagnosed_at - i.declared_at <= interval '15 minutes' AS quick,
         -- Time to detect: only where an alert (or an import) said when impact began.
         date_part('epoch', i.declared_at - i.impact_started_at) AS ttd,
         -- Imported history never had the bot's post-mortems: only a bot-declared SEV1/SEV2 owes one.
         (i.severity <= 2 AND i.imported_from IS NULL) OR pm.incident_id IS NOT NULL AS major,
         pm.status = 'closed' AS pm_closed,
         date_part('epoch', pm.closed_at - i.resolved_at) AS pm_close,
         -- Validate, then resolve: null where nothing was asked (older, imported, no checks).
         CASE WHEN i.resolved_at IS NOT NULL THEN i.validation_confirmed END AS validated
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
  SELECT class COLLATE "C" AS class, severity, declared_at AS at, 0 AS kind, ttr, tta, ttd, quick, major, pm_closed, pm_close,
         validated, NULL::timestamptz AS resolved
  FROM win
  UNION ALL
  SELECT class COLLATE "C", NULL, resolved_at, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, resolved_at FROM resolutions
),
flagged AS (
  SELECT class, severity, kind, ttr, tta, ttd, quick, major, pm_closed, pm_close, validated,
         COALESCE(max(resolved) OVER (PARTITION BY class ORDER BY at, kind ROWS UNBOUNDED PRECEDING) >= at - interval '30 days', false) AS recurs
  FROM timeline
)
SELECT GROUPING(class, severity) AS grouping, class, severity,
       count(*)::int AS incidents,
       count(ttr)::int AS resolved,
       avg(ttr) AS mttr,
       percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY ttr) AS mttr_pct,
       avg(tta) AS mtta,
       count(*) FILTER (WHERE tta IS NULL)::float8 / NULLIF(count(*), 0) AS unacked_rate,
       avg(ttd) AS mttd,
       count(*) FILTER (WHERE quick)::float8 / NULLIF(count(*), 0) AS quick_rate,
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
  mtta: number | null;
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
    postmortems: {
      major: r.pm_major,
      closed: r.pm_closed,
      share: r.pm_major === 0 ? null : r.pm_closed / r.pm_major,
      mean_seconds_to_close: r.pm_close,
    },
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
