/**
 * The KPI report section of `npm run bench`: how long `PgReports.mttr` takes on a million
 * incidents, next to bare SQL of the same definitions in the same run.
 *
 *  - data: REPORT_INCIDENTS incidents written with one set-based INSERT on a fresh schema, spread
 *    evenly over 3 years, 30 classes with a long tail (4 of them have a shipped runbook), SEV1 5 %,
 *    SEV2 20 %, SEV3 45 %, SEV4 30 %; ~85 % resolved (5 min to a day after acknowledgement, most
 *    within hours), 5 % cancelled, the rest open; 90 % acknowledged, 70 % with a diagnosis time,
 *    60 % of the resolved with a mitigation time, 40 % with an impact start up to 75 min before the
 *    declaration, diagnose_within 5, 15 or 30 min by class; a post-mortem for every resolved
 *    SEV1/SEV2, a quarter of them with one of 300 cause categories.
 *    Then VACUUM ANALYZE: statistics, and the visibility map a settled table has from autovacuum.
 *  - app: `new PgReports(pool).mttr(window, runbookClasses)`, timed around the call (its
 *    transaction, settings, statement and the mapping to the report).
 *  - bare: the definitions as they read, in one plain statement with literal values and server
 *    defaults (recurrence as a correlated EXISTS), no application code around it. Its figures
 *    must equal the app's: the bench doubles as a cross-check on a large, messy data set. All
 *    history's p50/p90 come from the app's log-scale buckets: those must be within 1 % (README).
 *
 * Two windows, the last 30 days and all history; rounds alternate bare/app after one unmeasured
 * run of each.
 *
 *   REPORT_INCIDENTS=1000000 REPORT_ROUNDS=5
 *
 * Runs on its own too: npx tsx bench/report-mttr.ts
 */
import path from 'node:path';
import type { Pool } from 'pg';
import type { MttrReport, ReportWindow } from '../src/core/reports';
import { loadCatalog } from '../src/core/runbook/loader';
import { createPool } from '../src/store/db';
import { PgReports } from '../src/store/reports';
import { freshSchema, type TestSchema } from '../test/support/db';
import { percentile } from './stats';

function setting(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive whole number`);
  return v;
}

const GOAL_RATIO = 2;
const GOAL_MS = 500;
const DAY_MS = 86_400_000;
// Generation and the bare all-history query run longer than the bot's 10 s statement limit.
const LONG = { connectMs: 5_000, statementMs: 600_000, queryMs: 600_000 };
const CLASSES = [
  'workflow',
  'auth',
  'pdf',
  'billing',
  'search',
  'queue',
  'email',
  'sync',
  'export',
  'import',
  'webhooks',
  'storage',
  'api-gateway',
  'payments',
  'notifications',
  'reports',
  'scheduler',
  'ocr',
  'sso',
  'mobile',
  'cdn',
  'dns',
  'db',
  'cache',
  'analytics',
  'forms',
  'signatures',
  'templates',
  'audit',
  'onboarding',
];

/** One statement: the random draws of a row live in one subquery level, so each is drawn once. */
const GENERATE = `
INSERT INTO incidents (playbook_id, class, title, severity, status, platform, declared_by,
                       declared_at, acknowledged_at, diagnosed_at, resolved_at, cancelled_at,
                       mitigated_at, impact_started_at, diagnose_within_seconds)
SELECT class, class, 'bench incident', severity,
       CASE WHEN resolved_at IS NOT NULL THEN 'resolved' WHEN cancelled THEN 'cancelled'
            WHEN ack IS NULL THEN 'declared' ELSE 'acknowledged' END,
       'slack', 'UBENCH', declared_at, ack, diag, resolved_at,
       CASE WHEN cancelled THEN declared_at + r_ttr * interval '10 minutes' END,
       CASE WHEN resolved_at IS NOT NULL AND r_mit < 0.6 THEN declared_at + (resolved_at - declared_at) * r_mit END,
       CASE WHEN r_imp < 0.4 THEN declared_at - r_imp * interval '75 minutes' END,
       CASE WHEN class IN ('pdf', 'auth') THEN 300 WHEN class = 'billing' THEN 1800 ELSE 900 END
FROM (
  SELECT *, CASE WHEN fate < 0.85 AND res <= $1 THEN res END AS resolved_at, fate >= 0.85 AND fate < 0.90 AS cancelled
  FROM (
    SELECT *, COALESCE(ack, declared_at) + interval '5 minutes' + r_ttr ^ 3 * interval '24 hours' AS res
    FROM (
      SELECT ($3::text[])[1 + floor(array_length($3::text[], 1) * r_class ^ 3)::int] AS class,
             CASE WHEN r_sev < 0.05 THEN 1 WHEN r_sev < 0.25 THEN 2 WHEN r_sev < 0.70 THEN 3 ELSE 4 END AS severity,
             fate, r_ttr, r_mit, r_imp, declared_at,
             CASE WHEN r_ack < 0.9 THEN declared_at + r_ack ^ 2 * interval '40 minutes' END AS ack,
             CASE WHEN r_diag < 0.7 THEN declared_at + r_diag ^ 2 * interval '60 minutes' END AS diag
      FROM (
        SELECT random() AS r_class, random() AS r_sev, random() AS fate, random() AS r_ttr, random() AS r_ack, random() AS r_diag,
               random() AS r_mit, random() AS r_imp,
               $1::timestamptz - interval '1095 days 1 hour' + (g::float8 / $2) * interval '1095 days' + random() * interval '1 hour' AS declared_at
        FROM generate_series(0, $2 - 1) g
        OFFSET 0
      ) r
    ) c
  ) d
) x`;

/**
 * A post-mortem for every resolved SEV1 and SEV2 (~210k on a million); a quarter of them name one
 * of 300 cause categories, a few common, most rare, as people would after analysing them.
 */
const POSTMORTEMS = `
INSERT INTO postmortems (incident_id, status, due_on, opened_at, opened_by, closed_at, cause_category)
SELECT id, CASE WHEN r < 0.7 THEN 'closed' ELSE 'draft' END, (resolved_at + interval '7 days')::date, resolved_at, 'UBENCH',
       CASE WHEN r < 0.7 THEN resolved_at + r * interval '20 days' END,
       CASE WHEN c < 0.25 THEN 'cause-' || floor(300 * (c / 0.25) ^ 2)::int END
FROM (SELECT id, resolved_at, random() AS r, random() AS c FROM incidents WHERE severity <= 2 AND resolved_at IS NOT NULL OFFSET 0) x`;

const lit = (d: Date) => `'${d.toISOString()}'::timestamptz`;

/** The definitions as they read, per class, per severity and overall, with nothing to help the planner. */
function bareSql(w: ReportWindow, runbookClasses: string[]): string {
  const classes = `ARRAY[${runbookClasses.map((c) => `'${c.replace(/'/g, "''")}'`).join(', ')}]::text[]`;
  return `
SELECT GROUPING(class, severity) AS grouping, class, severity,
       count(*)::int AS incidents,
       count(resolved_at)::int AS resolved,
       avg(date_part('epoch', resolved_at - declared_at)) AS mttr,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', resolved_at - declared_at)) AS p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY date_part('epoch', resolved_at - declared_at)) AS p90,
       avg(date_part('epoch', acknowledged_at - declared_at)) AS mtta,
       avg(CASE WHEN diagnosed_at - declared_at <= interval '15 minutes' THEN 1 ELSE 0 END)::float8 AS quick_rate,
       avg(CASE WHEN diagnosed_at - declared_at <= diagnose_within_seconds * interval '1 second' THEN 1 ELSE 0 END)::float8 AS in_time_rate,
       avg(date_part('epoch', resolved_at - impact_started_at)) AS mttr_impact,
       avg(date_part('epoch', mitigated_at - declared_at)) AS ttm,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', mitigated_at - declared_at)) AS ttm_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY date_part('epoch', mitigated_at - declared_at)) AS ttm_p90,
       avg(date_part('epoch', diagnosed_at - declared_at)) AS ttdiag,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', diagnosed_at - declared_at)) AS ttdiag_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY date_part('epoch', diagnosed_at - declared_at)) AS ttdiag_p90,
       avg(CASE WHEN EXISTS (SELECT 1 FROM incidents e
                             WHERE e.class = i.class AND e.status <> 'cancelled' AND e.resolved_at IS NOT NULL
                               AND e.resolved_at >= i.declared_at - interval '30 days' AND e.resolved_at < i.declared_at)
                THEN 1 ELSE 0 END)::float8 AS recur_rate,
       avg(CASE WHEN class = ANY(${classes}) THEN 1 ELSE 0 END)::float8 AS coverage
FROM incidents i
WHERE declared_at >= ${lit(w.since)} AND declared_at < ${lit(w.until)} AND status <> 'cancelled'
GROUP BY GROUPING SETS ((class), (severity), ())`;
}

/**
 * Recurrence by cause as it reads (EXISTS over the earlier incidents whose post-mortem names the same
 * category). Untimed: a check only, run on the 30-day window, since EXISTS over a category's
 * post-mortems for every incident of all history would take hours.
 */
function bareCauseSql(w: ReportWindow): string {
  return `
SELECT GROUPING(class, severity) AS grouping, class, severity,
       count(pm.cause_category)::int AS with_cause,
       avg(CASE WHEN pm.cause_category IS NULL THEN NULL
                WHEN EXISTS (SELECT 1 FROM postmortems p2 JOIN incidents e ON e.id = p2.incident_id
                             WHERE p2.cause_category = pm.cause_category AND e.status <> 'cancelled' AND e.resolved_at IS NOT NULL
                               AND e.resolved_at >= i.declared_at - interval '30 days' AND e.resolved_at < i.declared_at)
                THEN 1 ELSE 0 END)::float8 AS cause_rate
FROM incidents i LEFT JOIN postmortems pm ON pm.incident_id = i.id
WHERE i.declared_at >= ${lit(w.since)} AND i.declared_at < ${lit(w.until)} AND i.status <> 'cancelled'
GROUP BY GROUPING SETS ((class), (severity), ())`;
}

interface BareCauseRow {
  grouping: number;
  class: string | null;
  severity: number | null;
  with_cause: number;
  cause_rate: number | null;
}

interface BareRow {
  grouping: number;
  class: string | null;
  severity: number | null;
  incidents: number;
  resolved: number;
  mttr: number | null;
  p50: number | null;
  p90: number | null;
  mtta: number | null;
  quick_rate: number | null;
  in_time_rate: number | null;
  mttr_impact: number | null;
  ttm: number | null;
  ttm_p50: number | null;
  ttm_p90: number | null;
  ttdiag: number | null;
  ttdiag_p50: number | null;
  ttdiag_p90: number | null;
  recur_rate: number | null;
  coverage: number | null;
}

/** Where the app's figures differ from the bare SQL's beyond float noise; empty when they agree. */
function differences(app: MttrReport, bare: BareRow[], cause: BareCauseRow[] | null, bucketed: boolean): string[] {
  const close = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));
  // All history reads p50/p90 from log-scale buckets (README "Reports"): within 1 %, or 1 s under a second.
  const near = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= Math.max(0.01 * Math.abs(b), 1));
  const out: string[] = [];
  const check = (what: string, f: MttrReport['overall'], r: BareRow | undefined, c: BareCauseRow | undefined) => {
    if (!r) return void out.push(`${what}: missing from the bare SQL`);
    if (cause && !c) return void out.push(`${what}: missing from the bare cause SQL`);
    const pairs: Array<[string, number | null, number | null]> = [
      ['incidents', f.incidents, r.incidents],
      ['resolved', f.resolved, r.resolved],
      ['mttr', f.mttr_seconds, r.mttr],
      ['p50', f.mttr_p50_seconds, r.p50],
      ['p90', f.mttr_p90_seconds, r.p90],
      ['mtta', f.mtta_seconds, r.mtta],
      ['diagnosed', f.diagnosed_within_15m_rate, r.quick_rate],
      ['recurrence', f.recurrence_rate, r.recur_rate],
      ['diagnosed in time', f.diagnosed_in_time_rate ?? null, r.in_time_rate],
      ['mttr from impact', f.mttr_from_impact_seconds ?? null, r.mttr_impact],
      ['mitigate', f.time_to_mitigate_seconds ?? null, r.ttm],
      ['mitigate p50', f.time_to_mitigate_p50_seconds ?? null, r.ttm_p50],
      ['mitigate p90', f.time_to_mitigate_p90_seconds ?? null, r.ttm_p90],
      ['diagnose', f.time_to_diagnose_seconds ?? null, r.ttdiag],
      ['diagnose p50', f.time_to_diagnose_p50_seconds ?? null, r.ttdiag_p50],
      ['diagnose p90', f.time_to_diagnose_p90_seconds ?? null, r.ttdiag_p90],
      ...(c
        ? ([
            ['with a cause category', f.with_cause_category ?? null, c.with_cause],
            ['recurrence by cause', f.recurrence_by_cause_rate ?? null, c.cause_rate],
          ] as Array<[string, number | null, number | null]>)
        : []),
    ];
    for (const [k, a, b] of pairs) if (!(bucketed && /p[59]0$/.test(k) ? near : close)(a, b)) out.push(`${what} ${k}: app ${a}, bare ${b}`);
  };
  const overall = (r: { grouping: number }) => r.grouping === 3;
  const ofClass = (name: string) => (r: { grouping: number; class: string | null }) => r.grouping === 1 && r.class === name;
  const ofSeverity = (sev: number) => (r: { grouping: number; severity: number | null }) => r.grouping === 2 && r.severity === sev;
  check('overall', app.overall, bare.find(overall), cause?.find(overall));
  for (const c of app.classes) check(`class ${c.class}`, c, bare.find(ofClass(c.class)), cause?.find(ofClass(c.class)));
  for (const s of app.severities) check(`SEV${s.severity}`, s, bare.find(ofSeverity(s.severity)), cause?.find(ofSeverity(s.severity)));
  if (bare.filter((r) => r.grouping !== 3).length !== app.classes.length + app.severities.length) out.push('the bare SQL has other groups than the app');
  if (!close(app.runbook_coverage, bare.find((r) => r.grouping === 3)?.coverage ?? null)) out.push('runbook coverage differs');
  return out;
}

/** Never throws: a section that could not run says why in its text, with ok false. */
export function reportMttr(): Promise<{ ok: boolean; text: string }> {
  return section().catch((err: Error) => ({ ok: false, text: `\n5. KPI report bench failed: ${err.stack ?? String(err)}` }));
}

async function section(): Promise<{ ok: boolean; text: string }> {
  const N = setting('REPORT_INCIDENTS', 1_000_000);
  const ROUNDS = setting('REPORT_ROUNDS', 5);
  const started = performance.now();
  let schema: TestSchema | null = null;
  let pool: Pool | null = null;
  try {
    schema = await freshSchema();
    pool = createPool(schema.url, 2, LONG);
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const t0 = performance.now();
    await pool.query(GENERATE, [now, N, CLASSES]);
    await pool.query(POSTMORTEMS);
    const genMs = performance.now() - t0;
    await pool.query('VACUUM (ANALYZE) incidents');
    await pool.query('VACUUM (ANALYZE) postmortems');
    const shape = (await pool.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM incidents GROUP BY status ORDER BY status`)).rows;
    const pms = (await pool.query<{ n: number; c: number }>(`SELECT count(*)::int AS n, count(cause_category)::int AS c FROM postmortems`)).rows[0]!;

    const runbookClasses = loadCatalog(path.resolve(__dirname, '../playbooks')).all.map((r) => r.class);
    const reports = new PgReports(pool);
    const windows: Array<{ name: string; window: ReportWindow }> = [
      { name: 'last 30 days', window: { since: new Date(now.getTime() - 30 * DAY_MS), until: now } },
      { name: 'all history', window: { since: new Date('2000-01-01T00:00:00Z'), until: new Date(now.getTime() + DAY_MS) } },
    ];
    const out = [
      `\n5. KPI report: PgReports.mttr on ${N.toLocaleString('en')} incidents, next to bare SQL of the same definitions`,
      `   data: one set-based INSERT in ${(genMs / 1000).toFixed(1)} s, then VACUUM ANALYZE; ${shape.map((s) => `${s.n} ${s.status}`).join(', ')};`,
      `         ${CLASSES.length} classes (runbooks: ${runbookClasses.join(', ')}), 3 years up to ${now.toISOString()};
         ${pms.n} post-mortems (every resolved SEV1/SEV2), ${pms.c} of them with a cause category (300, skewed)`,
      '   app:  PgReports.mttr, timed around the call; bare: one plain statement of the definitions (EXISTS for recurrence), literals, server defaults',
      '         (recurrence by cause is checked against its own bare EXISTS statement, untimed, on the 30-day window only)',
      `   ${ROUNDS} rounds each per window, alternating bare/app after one unmeasured run of each. Times in ms.`,
      '',
      '   window          incidents   bare p50     max    app p50     max   app/bare p50   app p50 < 500 ms and ≤ 2× bare',
    ];
    let met = true;
    const problems: string[] = [];
    for (const { name, window } of windows) {
      const bare = bareSql(window, runbookClasses);
      const time = async <T>(run: () => Promise<T>) => {
        const t = performance.now();
        const result = await run();
        return { ms: performance.now() - t, result };
      };
      const warmBare = await time(() => pool!.query<BareRow>(bare));
      const warmApp = await time(() => reports.mttr(window, runbookClasses));
      const cause = name === 'last 30 days' ? (await pool!.query<BareCauseRow>(bareCauseSql(window))).rows : null;
      problems.push(...differences(warmApp.result, warmBare.result.rows, cause, name === 'all history').map((d) => `${name}: ${d}`));
      const ms = { bare: [] as number[], app: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        ms.bare.push((await time(() => pool!.query(bare))).ms);
        ms.app.push((await time(() => reports.mttr(window, runbookClasses))).ms);
      }
      const p = (v: number[]) => percentile(v, 50);
      const ratio = p(ms.app) / p(ms.bare);
      const ok = p(ms.app) < GOAL_MS && ratio <= GOAL_RATIO;
      met &&= ok;
      const f = (n: number, w = 9) => n.toFixed(1).padStart(w);
      out.push(
        `   ${name.padEnd(14)} ${String(warmApp.result.overall.incidents).padStart(10)} ${f(p(ms.bare), 10)} ${f(Math.max(...ms.bare), 7)} ${f(p(ms.app), 10)} ${f(Math.max(...ms.app), 7)}` +
          `   ${ratio.toFixed(2).padStart(10)}×   ${ok ? 'MET' : 'NOT MET'}`,
      );
    }
    out.push(
      '',
      `   Goal: within ${GOAL_RATIO}× the bare SQL and under ${GOAL_MS} ms → ${met ? 'MET' : 'NOT MET'}`,
      problems.length
        ? `   The app's figures differ from the bare SQL's:\n     ${problems.slice(0, 20).join('\n     ')}`
        : '   The app and the bare SQL agree on every figure of both windows.',
      `   Section took ${((performance.now() - started) / 1000).toFixed(1)} s.`,
    );
    return { ok: problems.length === 0, text: out.join('\n') };
  } finally {
    await pool?.end().catch(() => undefined);
    await schema?.drop().catch((err: Error) => console.error(`could not drop schema ${schema!.name}: ${err.message}`));
  }
}

if (require.main === module) {
  void reportMttr().then(({ ok, text }) => {
    console.log(text);
    process.exit(ok ? 0 : 1);
  });
}
