/**
 * The KPI report's SQL (README "Reports" defines each figure; reports.ts says which path runs when).
 *
 *  - `incidentRows` is the one definition of a window incident's figures: the exact path aggregates
 *    it directly, the month rollups sum it, and the long path sums it again for the partial months at
 *    a window's edges. Recurrence by class is the stored `incidents.recurs` (0029, kept by triggers
 *    when a declaration, a resolution or a class changes), so no timeline or probe per incident.
 *  - Recurrence by cause stays live: a few percent of incidents name a category. Their declarations
 *    and the resolutions of earlier categorised incidents are merged into one timeline per category
 *    and a running max, joined back by id. A resolution at the very instant of a declaration sorts
 *    after it (`kind`), as [d − 30 d, d) leaves it out. The resolutions come from
 *    `incidents_resolved` (index-only over the range) hashed against the categorised post-mortems,
 *    behind OFFSET 0: left to itself the planner probed the incidents' primary key once per
 *    categorised post-mortem, 15-20 times slower on a million incidents.
 *  - Post-mortems join on their primary key (at most one per incident). A closed post-mortem always
 *    belongs to a major incident (it has a row), so `pm_closed` needs no `major`.
 *  - Sorting and grouping by class in the "C" collation (bytes): only equality matters there, and
 *    locale-aware comparison was most of the cost of the sorts.
 */
export function incidentRows(since: string, until: string): string {
  return `(
  WITH w AS (
    SELECT i.id, i.class COLLATE "C" AS class, i.severity, i.declared_at, i.recurs,
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
           pm.cause_category COLLATE "C" AS cause
    FROM incidents i
    LEFT JOIN postmortems pm ON pm.incident_id = i.id
    WHERE i.declared_at >= ${since} AND i.declared_at < ${until} AND i.status <> 'cancelled'
  ),
  cause_resolutions AS (
    SELECT pm.cause_category COLLATE "C" AS cause, e.resolved_at
    FROM (SELECT id, resolved_at FROM incidents WHERE resolved_at >= ${since} - interval '30 days' AND resolved_at < ${until} OFFSET 0) e
    JOIN postmortems pm ON pm.incident_id = e.id
    WHERE pm.cause_category IN (SELECT cause FROM w WHERE cause IS NOT NULL)
  ),
  cause_flagged AS (
    SELECT id, kind,
           COALESCE(max(resolved) OVER (PARTITION BY cause ORDER BY at, kind ROWS UNBOUNDED PRECEDING) >= at - interval '30 days', false) AS recurs_cause
    FROM (
      SELECT id, cause, declared_at AS at, 0 AS kind, NULL::timestamptz AS resolved FROM w WHERE cause IS NOT NULL
      UNION ALL
      SELECT NULL, cause, resolved_at, 1, resolved_at FROM cause_resolutions
    ) t
  )
  SELECT w.*, c.recurs_cause
  FROM w LEFT JOIN cause_flagged c ON c.id = w.id AND c.kind = 0
)`;
}

/** Every count and sum a figure is made of; sums of them give the figures of any set of months. */
const SUMS = `count(*)::int AS incidents, count(ttr)::int AS resolved, sum(ttr) AS ttr_sum,
  count(ttr_impact)::int AS ttr_impact_n, sum(ttr_impact) AS ttr_impact_sum, count(tta)::int AS tta_n, sum(tta) AS tta_sum,
  count(ttd)::int AS ttd_n, sum(ttd) AS ttd_sum, count(ttm)::int AS ttm_n, sum(ttm) AS ttm_sum,
  count(ttdiag)::int AS ttdiag_n, sum(ttdiag) AS ttdiag_sum, count(*) FILTER (WHERE quick)::int AS quick,
  count(*) FILTER (WHERE on_time)::int AS on_time, count(validated)::int AS validated_n,
  count(*) FILTER (WHERE validated)::int AS validated, count(*) FILTER (WHERE recurs)::int AS recurs,
  count(*) FILTER (WHERE major)::int AS pm_major, count(*) FILTER (WHERE pm_closed)::int AS pm_closed,
  count(pm_close) FILTER (WHERE pm_closed)::int AS pm_close_n, sum(pm_close) FILTER (WHERE pm_closed) AS pm_close_sum,
  count(cause)::int AS with_cause, count(*) FILTER (WHERE recurs_cause)::int AS recurs_cause`;

/** The durations a percentile is taken of, per class (dim 1) and per severity (dim 2); 0029 numbers the metrics. */
function durations(r: string): string {
  return `CROSS JOIN LATERAL (VALUES (1::smallint, ${r}.class::text, 1::smallint, ${r}.ttr), (1, ${r}.class, 2, ${r}.ttr_impact),
    (1, ${r}.class, 3, ${r}.ttm), (1, ${r}.class, 4, ${r}.ttdiag), (2, ${r}.severity::text, 1, ${r}.ttr),
    (2, ${r}.severity::text, 2, ${r}.ttr_impact), (2, ${r}.severity::text, 3, ${r}.ttm), (2, ${r}.severity::text, 4, ${r}.ttdiag)
  ) v(dim, key, metric, x)`;
}

/**
 * Exact figures straight from the window's incidents: every figure per class, per severity and
 * overall from one GROUPING SETS pass; percentile_cont with an array sorts each group's durations
 * once for both p50 and p90. $1 since, $2 until, $3 the runbook classes.
 */
export const EXACT_SQL = `
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
       count(*) FILTER (WHERE class = ANY($3::text[]))::float8 / NULLIF(count(*), 0) AS coverage,
       count(cause)::int AS with_cause,
       count(*) FILTER (WHERE recurs_cause)::float8 / NULLIF(count(cause), 0) AS recur_cause_rate
FROM ${incidentRows('$1::timestamptz', '$2::timestamptz')} r
GROUP BY GROUPING SETS ((class), (severity), ())`;

/** Whether the window holds more than $3 incidents, without counting past that. */
export const MORE_THAN_SQL = `
SELECT count(*) > $3 AS more FROM (
  SELECT 1 FROM incidents WHERE declared_at >= $1 AND declared_at < $2 AND status <> 'cancelled' LIMIT $3 + 1
) x`;

/**
 * Long windows: the whole months [$4, $5) from the rollups, the partial months [$1, $4) and
 * [$5, $2) from the incidents. Counts, means and rates add up exactly; p50/p90 come from the
 * log-scale buckets (0029): the cumulative set before $5 minus the one before $4, plus the edges'
 * durations (report-percentiles.ts reads the ranks).
 */
export const ROLLUP_SQL = `
WITH edge AS (
  SELECT * FROM ${incidentRows('$1::timestamptz', '$4::timestamptz')} a
  UNION ALL
  SELECT * FROM ${incidentRows('$5::timestamptz', '$2::timestamptz')} b
),
sums AS (
  SELECT class COLLATE "C" AS class, severity, incidents, resolved, ttr_sum, ttr_impact_n, ttr_impact_sum, tta_n, tta_sum,
         ttd_n, ttd_sum, ttm_n, ttm_sum, ttdiag_n, ttdiag_sum, quick, on_time, validated_n, validated, recurs,
         pm_major, pm_closed, pm_close_n, pm_close_sum, with_cause, recurs_cause
  FROM report_months WHERE month >= $4 AND month < $5
  UNION ALL
  SELECT class, severity, ${SUMS} FROM edge GROUP BY class, severity
),
main AS (
  SELECT GROUPING(class, severity) AS grouping, class, severity,
         sum(incidents)::int AS incidents,
         sum(resolved)::int AS resolved,
         sum(ttr_sum) / NULLIF(sum(resolved), 0) AS mttr,
         sum(ttr_impact_sum) / NULLIF(sum(ttr_impact_n), 0) AS mttr_impact,
         sum(tta_sum) / NULLIF(sum(tta_n), 0) AS mtta,
         (sum(incidents) - sum(tta_n))::float8 / NULLIF(sum(incidents), 0) AS unacked_rate,
         sum(ttd_sum) / NULLIF(sum(ttd_n), 0) AS mttd,
         sum(ttm_sum) / NULLIF(sum(ttm_n), 0) AS ttm,
         sum(ttdiag_sum) / NULLIF(sum(ttdiag_n), 0) AS ttdiag,
         sum(quick)::float8 / NULLIF(sum(incidents), 0) AS quick_rate,
         sum(on_time)::float8 / NULLIF(sum(incidents), 0) AS on_time_rate,
         sum(validated)::float8 / NULLIF(sum(validated_n), 0) AS validated_rate,
         sum(recurs)::float8 / NULLIF(sum(incidents), 0) AS recur_rate,
         sum(pm_major)::int AS pm_major,
         sum(pm_closed)::int AS pm_closed,
         sum(pm_close_sum) / NULLIF(sum(pm_close_n), 0) AS pm_close,
         class = ANY($3::text[]) AS has_runbook,
         (sum(incidents) FILTER (WHERE class = ANY($3::text[])))::float8 / NULLIF(sum(incidents), 0) AS coverage,
         sum(with_cause)::int AS with_cause,
         sum(recurs_cause)::float8 / NULLIF(sum(with_cause), 0) AS recur_cause_rate
  FROM sums
  GROUP BY GROUPING SETS ((class), (severity), ())
),
buckets AS (
  SELECT dim, key, metric, bucket, n::int AS n FROM report_cum_buckets WHERE until_month = $5
  UNION ALL
  SELECT dim, key, metric, bucket, -n::int FROM report_cum_buckets WHERE until_month = $4
  UNION ALL
  SELECT v.dim, v.key, v.metric, report_bucket(v.x), 1 FROM edge e ${durations('e')} WHERE v.x IS NOT NULL
),
-- Per class and per severity, the buckets as three comma-separated lists (metric, bucket, count; a
-- bucket may come in several entries): reports.ts takes the ranks from them. Sorting and ranking
-- ~50k buckets in window functions cost the statement several times what reading the lists costs
-- the app; lists rather than arrays, as the driver's array parser took longer than the statement.
hist AS (
  SELECT dim, key COLLATE "C" AS key, string_agg(metric::text, ',') AS h_metric, string_agg(bucket::text, ',') AS h_bucket,
         string_agg(n::text, ',') AS h_n
  FROM buckets
  GROUP BY dim, key COLLATE "C"
)
SELECT m.*, h.h_metric, h.h_bucket, h.h_n
FROM main m
LEFT JOIN hist h ON h.dim = m.grouping AND h.key = CASE m.grouping WHEN 1 THEN m.class WHEN 2 THEN m.severity::text END COLLATE "C"`;

/** Takes the marks of the months before $1: from here on, a change marks its month again. */
export const TAKE_DIRTY_SQL = `
WITH taken AS (DELETE FROM report_dirty WHERE month < $1 RETURNING month)
SELECT DISTINCT month FROM taken ORDER BY month`;

/**
 * Rebuilds the months $1 from the incidents declared in [$2, $3), and moves every kept cumulative
 * set after each month by what its buckets changed by, so a set stays the sum of the months before it.
 */
export const REBUILD_SQL = `
WITH r AS MATERIALIZED (
  SELECT report_month(x.declared_at) AS month, x.*
  FROM ${incidentRows('$2::timestamptz', '$3::timestamptz')} x
  WHERE report_month(x.declared_at) = ANY($1::timestamptz[])
),
old_sums AS (DELETE FROM report_months WHERE month = ANY($1::timestamptz[])),
new_sums AS (INSERT INTO report_months SELECT month, class, severity, ${SUMS} FROM r GROUP BY month, class, severity),
old_buckets AS (
  DELETE FROM report_month_buckets WHERE month = ANY($1::timestamptz[])
  RETURNING month, dim, key, metric, bucket, -n AS n
),
new_buckets AS (
  INSERT INTO report_month_buckets (month, dim, key, metric, bucket, n)
  SELECT r.month, v.dim, v.key, v.metric, report_bucket(v.x), count(*)::int FROM r ${durations('r')}
  WHERE v.x IS NOT NULL GROUP BY 1, 2, 3, 4, 5
  RETURNING month, dim, key, metric, bucket, n
),
delta AS (
  SELECT month, dim, key, metric, bucket, sum(n) AS n
  FROM (SELECT * FROM old_buckets UNION ALL SELECT * FROM new_buckets) d
  GROUP BY 1, 2, 3, 4, 5
  HAVING sum(n) <> 0
)
INSERT INTO report_cum_buckets (until_month, dim, key, metric, bucket, n)
SELECT c.until_month, d.dim, d.key, d.metric, d.bucket, sum(d.n)
FROM report_cum_sets c JOIN delta d ON d.month < c.until_month
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (until_month, dim, key, metric, bucket) DO UPDATE SET n = report_cum_buckets.n + EXCLUDED.n`;

/** Keeps the cumulative sets before the months $1, building the missing ones from the month buckets. */
export const CUM_SETS_SQL = `
WITH sets AS (
  INSERT INTO report_cum_sets (until_month) SELECT unnest($1::timestamptz[])
  -- Touched once a day at most: a report that finds nothing to rebuild then writes nothing.
  ON CONFLICT (until_month) DO UPDATE SET used_at = now() WHERE report_cum_sets.used_at < now() - interval '1 day'
  RETURNING until_month, xmax = 0 AS fresh
)
INSERT INTO report_cum_buckets (until_month, dim, key, metric, bucket, n)
SELECT s.until_month, b.dim, b.key, b.metric, b.bucket, sum(b.n)
FROM sets s JOIN report_month_buckets b ON b.month < s.until_month
WHERE s.fresh
GROUP BY 1, 2, 3, 4, 5`;

/** A set no report has read for a month is dropped: windows move, and each set is a month's worth of rows. */
export const DROP_OLD_SETS_SQL = `DELETE FROM report_cum_sets WHERE used_at < now() - interval '30 days'`;
