/**
 * The search section of `npm run bench`: how long `/incident search` takes (PgIncidentSearch.search,
 * what the dispatcher and the console call) on a million incidents, next to the bare statement
 * of the same tsquery on the same index.
 *
 *  - data: SEARCH_INCIDENTS incidents in one set-based INSERT on a fresh schema, spread over 3
 *    years in one Slack workspace: titles from 15 components × 10 symptoms × 7 scopes, 85 %
 *    resolved with a resolution, 5 % cancelled; 70 % with a cause (20 common ones, and one in
 *    2,000 a "kerberos" cause), 30 % with a note, 2 % with a post-mortem root cause. The
 *    index is then built the way migration 0027 backfills it (`incident_search_refresh` over
 *    every incident, the GIN index after), and VACUUM ANALYZE.
 *  - app: `new PgIncidentSearch(pool).search(scope, query, 20)`, timed around the call (both of
 *    its statements when nothing matches, the ranking, cause and post-mortem of the 20 shown).
 *  - bare: `doc @@ websearch_to_tsquery('english', $1)`, newest 20, on the same table: the floor
 *    any search over this index pays.
 *
 * Queries: a word in ~40 % of incidents, one in ~10 %, a rare cause word, three words, a phrase,
 * operators, and no match. SEARCH_ROUNDS rounds alternate bare/app after one unmeasured run of each.
 *
 *   SEARCH_INCIDENTS=1000000 SEARCH_ROUNDS=25
 *
 * Runs on its own: BENCH_ONLY=search npx tsx bench/run.ts
 */
import type { Pool } from 'pg';
import type { Incident } from '../src/core/model';
import { createPool } from '../src/store/db';
import { PgIncidentSearch } from '../src/store/incident-search';
import { freshSchema, type TestSchema } from '../test/support/db';
import { percentile } from './stats';

const GOAL_MS = 200;
const LONG = { connectMs: 5_000, statementMs: 1_800_000, queryMs: 1_800_000 };
const SCOPE = { platform: 'slack', workspace: 'TBENCH' };

const QUERIES: Array<{ name: string; q: string }> = [
  { name: 'very common word', q: 'tenants' },
  { name: 'common word', q: 'invoice' },
  { name: 'rare cause word', q: 'kerberos' },
  { name: 'three words', q: 'storage key rotated' },
  { name: 'phrase', q: '"connection pool exhausted"' },
  { name: 'operators', q: 'redis or kerberos -workers' },
  { name: 'no match', q: 'zebra quantum' },
];

const COMPONENTS = [
  'invoice PDFs',
  'workflow runs',
  'the login page',
  'CSV exports',
  'email delivery',
  'outgoing webhooks',
  'the search API',
  'billing sync',
  'OCR jobs',
  'attachments',
  'e-signatures',
  'scheduled reports',
  'the mobile app',
  'SSO sign-in',
  'the scheduler',
];
const SYMPTOMS = [
  'return 404',
  'fail with 500',
  'time out',
  'are slow',
  'are stuck in the queue',
  'return 403',
  'show a blank page',
  'drop requests',
  'create duplicate records',
  'lose updates',
];
const SCOPES = ['several tenants', 'all tenants', 'one enterprise tenant', 'EU customers', 'the US region', 'new sign-ups', 'API clients'];
const CAUSES = [
  'storage key rotated without re-rendering the PDFs',
  'connection pool exhausted on the primary database',
  'redis evicted job keys under memory pressure',
  'worker deployment scaled to zero',
  'expired TLS certificate on the gateway',
  'bad feature flag rollout',
  'DNS record removed during the migration',
  'rate limit hit at the payment provider',
  'schema migration locked the invoices table',
  'bucket policy lost its read grant',
  'poison job crashing the workers',
  'memory leak in the render service',
  'misconfigured CDN cache rule',
  'third-party OCR outage',
  'disk full on the search cluster',
  'timeout too low after the proxy upgrade',
  'cron schedule lost in the scheduler restart',
  'stale config cached after the deploy',
  'SSO metadata certificate rotated by the customer',
  'noisy neighbour on the shared database',
];
const RESOLUTIONS = [
  'rolled back the deploy',
  'restarted the workers',
  're-rendered the affected PDFs',
  'renewed the certificate',
  'raised the pool size',
  'restored the bucket policy',
  'purged the CDN cache',
  'scaled the workers back up',
  'reverted the feature flag',
  'freed disk space and added an alert',
];
const NOTES = [
  'customer support confirmed the impact',
  'grafana shows the 5xx rate rising since the deploy',
  'rollback started',
  'waiting on the vendor status page',
  'logs show timeouts from the gateway',
];

function setting(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive whole number`);
  return v;
}

// One subquery level draws each row's randoms once (OFFSET 0 keeps the planner from folding it).
const pick = (arr: string, r: string) => `(${arr})[1 + floor(array_length(${arr}, 1) * ${r})::int]`;
const GENERATE = `
INSERT INTO incidents (playbook_id, class, title, summary, severity, status, platform, workspace, declared_by,
                       declared_at, resolved_at, cancelled_at, resolution)
SELECT 'general', cls, title, title, 3, status, 'slack', 'TBENCH', 'UBENCH', declared_at,
       CASE WHEN status = 'resolved' THEN declared_at + (5 + r_ttr * 600) * interval '1 minute' END,
       CASE WHEN status = 'cancelled' THEN declared_at + interval '10 minutes' END,
       CASE WHEN status = 'resolved' THEN ${pick('$5::text[]', 'r_res')} END
FROM (
  SELECT ${pick('$2::text[]', 'r_comp')} || ' ' || ${pick('$3::text[]', 'r_sym')} || ' for ' || ${pick('$4::text[]', 'r_scope')} AS title,
         'class-' || floor(r_comp * 15)::int AS cls,
         CASE WHEN fate < 0.85 THEN 'resolved' WHEN fate < 0.90 THEN 'cancelled' ELSE 'acknowledged' END AS status,
         declared_at, r_ttr, r_res
  FROM (
    SELECT random() AS r_comp, random() AS r_sym, random() AS r_scope, random() AS fate, random() AS r_ttr, random() AS r_res,
           now() - interval '1095 days' + (g::float8 / $1) * interval '1095 days' AS declared_at
    FROM generate_series(0, $1 - 1) g
    OFFSET 0
  ) r
) x`;

// Causes, notes and post-mortems as the bot writes them: incident.diagnosed and note.added events.
const EVENTS = `
INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key)
SELECT id, declared_at + interval '5 minutes', 'UBENCH', 'incident.diagnosed',
       jsonb_build_object('via', 'command', 'cause', CASE WHEN r < 0.0005 THEN 'kerberos ticket expired on the render hosts' ELSE ${pick('$1::text[]', 'r2')} END),
       id || ':diagnosed'
FROM (SELECT id, declared_at, random() AS r, random() AS r2 FROM incidents OFFSET 0) i WHERE r < 0.7
UNION ALL
SELECT id, declared_at + interval '7 minutes', 'UBENCH', 'note.added', jsonb_build_object('text', ${pick('$2::text[]', 'r2')}), id || ':note:1'
FROM (SELECT id, declared_at, random() AS r, random() AS r2 FROM incidents OFFSET 0) i WHERE r < 0.3`;

const POSTMORTEMS = `
INSERT INTO postmortems (incident_id, status, owner, due_on, opened_at, opened_by, closed_at, root_cause, lessons)
SELECT id, 'closed', 'UBENCH', resolved_at::date, resolved_at, 'UBENCH', resolved_at, ${pick('$1::text[]', 'r2')}, 'alert before it happens again'
FROM (SELECT id, resolved_at, random() AS r, random() AS r2 FROM incidents WHERE resolved_at IS NOT NULL OFFSET 0) i WHERE r < 0.024`;

const SIMILAR_OF: Incident = {
  id: '00000000-0000-4000-8000-000000000001',
  number: 0,
  runbookId: 'general',
  class: 'class-0',
  title: 'invoice PDFs return 404 for several tenants',
  severity: 3,
  status: 'declared',
  platform: 'slack',
  workspace: 'TBENCH',
  channelId: null,
  declaredBy: 'UBENCH',
  commander: 'UBENCH',
  summary: 'invoice PDFs return 404 for several tenants',
  resolution: null,
  declaredAt: new Date(),
  acknowledgedAt: null,
  diagnosedAt: null,
  mitigatedAt: null,
  resolvedAt: null,
  cancelledAt: null,
  version: 1,
};

const BARE = `SELECT s.incident_id FROM incident_search s, websearch_to_tsquery('english', $1) q
WHERE s.doc @@ q ORDER BY s.declared_at DESC LIMIT 20`;

/** Never throws: a section that could not run says why in its text, with ok false. */
export function searchBench(): Promise<{ ok: boolean; text: string }> {
  return section().catch((err: Error) => ({ ok: false, text: `\n8. Search bench failed: ${err.stack ?? String(err)}` }));
}

export async function seed(pool: Pool, n: number): Promise<{ genMs: number; indexMs: number; shape: string }> {
  const t0 = performance.now();
  // The rows go in without the triggers, then the index is built as the migration backfills it: at
  // a million rows, one set-based refresh and a GIN build beat a million trigger calls.
  await pool.query('ALTER TABLE incidents DISABLE TRIGGER USER');
  await pool.query('ALTER TABLE incident_events DISABLE TRIGGER incident_search_on_event');
  await pool.query('ALTER TABLE postmortems DISABLE TRIGGER USER');
  await pool.query(GENERATE, [n, COMPONENTS, SYMPTOMS, SCOPES, RESOLUTIONS]);
  await pool.query(EVENTS, [CAUSES, NOTES]);
  await pool.query(POSTMORTEMS, [CAUSES]);
  await pool.query('ALTER TABLE incidents ENABLE TRIGGER USER');
  await pool.query('ALTER TABLE incident_events ENABLE TRIGGER incident_search_on_event');
  await pool.query('ALTER TABLE postmortems ENABLE TRIGGER USER');
  const genMs = performance.now() - t0;
  const t1 = performance.now();
  await pool.query('DROP INDEX incident_search_doc');
  await pool.query('SELECT incident_search_refresh(ARRAY(SELECT id FROM incidents))');
  await pool.query(`SET maintenance_work_mem = '256MB'`);
  await pool.query('CREATE INDEX incident_search_doc ON incident_search USING gin (doc)');
  const indexMs = performance.now() - t1;
  await pool.query('VACUUM (ANALYZE) incidents, incident_search, incident_events, postmortems');
  const counts = (
    await pool.query<{ k: string; n: number }>(
      `SELECT 'incidents' AS k, count(*)::int AS n FROM incidents UNION ALL SELECT kind, count(*)::int FROM incident_events GROUP BY kind
       UNION ALL SELECT 'post-mortems', count(*)::int FROM postmortems UNION ALL SELECT 'documents', count(*)::int FROM incident_search`,
    )
  ).rows;
  return { genMs, indexMs, shape: counts.map((c) => `${c.n.toLocaleString('en')} ${c.k}`).join(', ') };
}

async function section(): Promise<{ ok: boolean; text: string }> {
  const N = setting('SEARCH_INCIDENTS', 1_000_000);
  const ROUNDS = setting('SEARCH_ROUNDS', 25);
  let schema: TestSchema | null = null;
  let pool: Pool | null = null;
  try {
    schema = await freshSchema();
    pool = createPool(schema.url, 2, LONG);
    const { genMs, indexMs, shape } = await seed(pool, N);
    const search = new PgIncidentSearch(pool);
    const out = [
      `\n8. Search: PgIncidentSearch.search on ${N.toLocaleString('en')} incidents, next to the bare tsquery on the same index`,
      `   data: ${shape}; rows in ${(genMs / 1000).toFixed(1)} s, search documents and GIN index in ${(indexMs / 1000).toFixed(1)} s`,
      '   app: the search as /incident search and the console run it (20 shown, ranked among the newest 200 matches, with cause, post-mortem and where it matched)',
      "   bare: doc @@ websearch_to_tsquery('english', q), newest 20, nothing else",
      `   ${ROUNDS} rounds per query, alternating bare/app after one unmeasured run of each. Times in ms.`,
      '',
      '   query                         matches     bare p50    p90    p99     app p50    p90    p99   app/bare p50   app p99 < 200 ms',
    ];
    let met = true;
    for (const { name, q } of QUERIES) {
      const matches = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident_search WHERE doc @@ websearch_to_tsquery('english', $1)`, [q]))
        .rows[0]!.n;
      const bare: number[] = [];
      const app: number[] = [];
      await pool.query(BARE, [q]);
      await search.search(SCOPE, q, 20);
      for (let round = 0; round < ROUNDS; round++) {
        let t = performance.now();
        await pool.query(BARE, [q]);
        bare.push(performance.now() - t);
        t = performance.now();
        await search.search(SCOPE, q, 20);
        app.push(performance.now() - t);
      }
      const p = (v: number[], x: number) => percentile(v, x).toFixed(1).padStart(6);
      const ok = percentile(app, 99) < GOAL_MS;
      if (!ok) met = false;
      out.push(
        `   ${`${name} (${q})`.padEnd(30).slice(0, 30)} ${matches.toLocaleString('en').padStart(8)}   ${p(bare, 50)} ${p(bare, 90)} ${p(bare, 99)}   ${p(app, 50)} ${p(app, 90)} ${p(app, 99)}   ${(percentile(app, 50) / percentile(bare, 50)).toFixed(2).padStart(10)}×   ${ok ? 'MET' : 'NOT MET'}`,
      );
    }
    // The look back at declare, for a new incident of the most common class with a common title.
    const fresh = { ...SIMILAR_OF, declaredAt: new Date() };
    await search.similar(fresh, 3);
    const similar: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const t = performance.now();
      await search.similar(fresh, 3);
      similar.push(performance.now() - t);
    }
    out.push(
      `   similar incidents at declare ("${fresh.title}", class ${fresh.class}): p50 ${percentile(similar, 50).toFixed(1)}  p90 ${percentile(similar, 90).toFixed(1)}  p99 ${percentile(similar, 99).toFixed(1)} ms`,
    );
    out.push('', `   Goal: a search of ${N.toLocaleString('en')} incidents answers in under ${GOAL_MS} ms (p99, every query) → ${met ? 'MET' : 'NOT MET'}`);
    return { ok: true, text: out.join('\n') };
  } finally {
    await pool?.end().catch(() => undefined);
    await schema?.drop().catch(() => undefined);
  }
}
