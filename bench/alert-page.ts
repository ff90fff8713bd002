/**
 * The alert → page section of `npm run bench`: how long after Alertmanager POSTs a firing alert the
 * on-call person's page reaches Slack.
 *
 *  - bot: the real runtime (role all, what `incident-bot start` runs) in its own process, with
 *    ALERTS_TOKEN set, on the shipped playbooks/, a fresh schema and Redis prefix; the fake Slack
 *    and the load client each in a process of their own, as in sections 1 and 2.
 *  - alerts: ALERT_PAGE_TOTAL firing alerts, one per Alertmanager webhook (v4, Bearer token), each
 *    with its own fingerprint, labelled so that they route to pdf-404 at a severity that pages
 *    level 1 at declare. Checked at run time against the runbooks, as the bot will read them.
 *  - the fake workspace has a person whose username is each `@handle` of level 1 (and no user
 *    group by that name), so the level's targets resolve to users and each is sent a direct message.
 *  - ALERT_PAGE_CONCURRENCY lanes, closed loop: an alert stays in flight until the fake Slack has
 *    its page, then its lane posts the next; ALERT_PAGE_WARMUP unmeasured alerts first.
 *  - page: the level-1 direct message for that incident (chat.postMessage in a D… channel whose
 *    metadata names the incident and the key escalation:1). Floor: the first chat.postMessage naming
 *    the incident, which is setup's header: the page waits for the header and checklist by design,
 *    so the page cannot come sooner. Both timed from just before the POST (load client's clock) to
 *    the arrival (fake Slack's clock); the clocks are checked against each other.
 *
 *   ALERT_PAGE_TOTAL=200 ALERT_PAGE_CONCURRENCY=10 ALERT_PAGE_WARMUP=10 ALERT_PAGE_DEADLINE_S=BENCH_DEADLINE_S (170)
 *
 * Runs on its own too: npx tsx bench/alert-page.ts (or BENCH_ONLY=alert-page npm run bench)
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pagesFirstLevel } from '../src/core/incident/escalation';
import { routeAlert } from '../src/core/runbook/alert-routes';
import { loadCatalog } from '../src/core/runbook/loader';
import { durationMs } from '../src/core/runbook/schema';
import { jobIdFor } from '../src/jobs/kinds';
import { createRedis, QUEUE_POLICIES } from '../src/jobs/queues';
import { freshSchema, type TestSchema } from '../test/support/db';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../test/support/redis';
import { BoundedChildren } from './bounded';
import { clockSkew, type Child } from './ipc';
import type { AlertLoad, AlertResult, AlertSample, LoopDelay } from './protocol';
import { table } from './report';
import { SlackTraffic } from './slack-traffic';
import { percentile } from './stats';
import { unfinishedOutbox } from './settle';

function setting(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive whole number`);
  return v;
}

const RUNBOOK = 'pdf-404';
/** pdf-404's first route, and a severity label that Alertmanager rules commonly carry. */
const LABELS = { alertname: 'InvoicePdf404Rate', service: 'documents-api', severity: 'high' };
const GOAL_P99_MS = 5_000;
const PAGE_TIMEOUT_MS = 30_000;
const SETTLE_TIMEOUT_MS = 20_000;
const POLL_MS = 100;
const PLAYBOOKS = path.resolve(__dirname, '../playbooks');

interface Plan {
  severity: number;
  /** Level 1 as the runbook writes it. */
  targets: string[];
  /** The people the fake workspace needs so each user target of level 1 resolves and is sent a DM. */
  users: Array<{ id: string; name: string }>;
}

/**
 * What the alerts will do, read from the runbooks as the bot will read them: they must route to
 * pdf-404, page level 1 at declare, and level 1 must name someone who can get a direct message.
 */
function plan(): Plan {
  const catalog = loadCatalog(PLAYBOOKS);
  const routing = routeAlert(catalog.all, LABELS);
  const where = `playbooks/ (labels ${JSON.stringify(LABELS)})`;
  if (!routing || routing.runbook.id !== RUNBOOK) throw new Error(`${where} route to ${routing?.runbook.id ?? 'no runbook'}, not ${RUNBOOK}`);
  const runbook = routing.runbook;
  if (!pagesFirstLevel(runbook, routing.severity))
    throw new Error(`${where}: SEV${routing.severity} does not page level 1 (page_at_severity ${runbook.page_at_severity})`);
  const level1 = runbook.escalation[0]!;
  if (durationMs(level1.after) !== 0) throw new Error(`${RUNBOOK}'s level 1 is after ${level1.after}, not at declare`);
  const users = level1.notify.flatMap((t, i) => {
    if (t.startsWith('@')) return [{ id: `UPAGED${i + 1}`, name: t.slice(1) }];
    if (/^[UW][A-Z0-9]{2,}$/.test(t)) return [{ id: t, name: t.toLowerCase() }];
    return [];
  });
  if (users.length === 0) throw new Error(`${RUNBOOK}'s level 1 (${level1.notify.join(', ')}) names no @handle or user id to send a direct message`);
  return { severity: routing.severity, targets: level1.notify, users };
}

/** Never throws: a section that could not run says why in its text, with ok false. */
export function alertPage(): Promise<{ ok: boolean; text: string }> {
  return section().catch((err: Error) => ({ ok: false, text: `\n7. Alert → page bench failed: ${err.stack ?? String(err)}` }));
}

async function section(): Promise<{ ok: boolean; text: string }> {
  const TOTAL = setting('ALERT_PAGE_TOTAL', 200);
  const CONCURRENCY = setting('ALERT_PAGE_CONCURRENCY', 10);
  const WARMUP = setting('ALERT_PAGE_WARMUP', 10);
  // Bounded like sections 1 and 2 unless said otherwise.
  const DEADLINE_S = setting('ALERT_PAGE_DEADLINE_S', setting('BENCH_DEADLINE_S', 170));

  const started = performance.now();
  const out: string[] = [];
  const problems: string[] = [];
  let schema: TestSchema | null = null;
  let redis: Redis | null = null;
  let chat: Queue | null = null;
  let measured: AlertResult | null = null;
  const prefix = uniquePrefix();
  // Made per run, never written down: the bot accepts alerts with it for the section's lifetime.
  const token = randomBytes(32).toString('hex');

  const bounded = new BoundedChildren(DEADLINE_S, 'ALERT_PAGE_DEADLINE_S');
  const { children } = bounded;
  const alive = () => bounded.alive();
  const spawn = <R>(name: string, script: string, env?: Record<string, string>) => bounded.spawn<R>(name, script, env);

  try {
    const p = plan();
    schema = await freshSchema();
    const pool = schema.pool;
    const { child: fake, ready: slack } = await spawn<{ url: string; apiUrl: string }>('fake Slack (alerts)', '../test/support/bench-fake-slack-server.ts');
    for (const u of p.users) await fake.call('addUser', u);
    const traffic = new SlackTraffic(fake);
    const [{ child: bot, ready: botReady }, { child: client }] = await Promise.all([
      spawn<{ baseUrl: string }>('bot (alerts)', 'target-process.ts', {
        BENCH_TARGET: 'bot',
        BENCH_SLACK_API_URL: slack.apiUrl,
        BENCH_DATABASE_URL: schema.url,
        BENCH_REDIS_URL: TEST_REDIS_URL,
        BENCH_QUEUE_PREFIX: prefix,
        BENCH_ALERTS_TOKEN: token,
      }),
      spawn<void>('load client (alerts)', 'load-client.ts'),
    ]);
    redis = createRedis(TEST_REDIS_URL);
    chat = new Queue('chat', { connection: redis, prefix });
    const skew = await clockSkew(client, fake);
    // As each page arrives, how many tries its chat.escalate job has started: read then, while the
    // job is fresh (the chat queue keeps only its last 1,000 finished jobs).
    const tries = new Map<string, Promise<number | null>>();
    traffic.posts = (a) => {
      client.send('post', a);
      if (a.tag !== 'escalation:1' || !a.channel?.startsWith('D') || tries.has(a.incident!)) return;
      const job = chat!.getJob(jobIdFor(`${a.incident!}:escalation:1:chat`));
      tries.set(
        a.incident!,
        job.then(
          (j) => j?.attemptsStarted ?? null,
          () => null,
        ),
      );
    };

    const burst = (firstIndex: number, total: number) =>
      client.call<AlertResult>(
        'alerts',
        {
          url: `${botReady.baseUrl}/alerts/alertmanager`,
          token,
          total,
          concurrency: CONCURRENCY,
          firstIndex,
          labels: LABELS,
          fingerprintPrefix: 'alert-page-bench-',
          timeoutMs: PAGE_TIMEOUT_MS,
        } satisfies AlertLoad,
        DEADLINE_S * 1000,
      );

    /** Until every outbox row due within the minute has finished: the warm-up's setup, probes and renders. */
    const settle = async (what: string, meaning: string) => {
      const left = await unfinishedOutbox(pool, { timeoutMs: SETTLE_TIMEOUT_MS, pollMs: POLL_MS, alive });
      if (left > 0) problems.push(`${left} outbox rows still unfinished ${SETTLE_TIMEOUT_MS / 1000} s after ${what}${meaning}`);
    };

    const warm = await burst(0, WARMUP);
    const warmPaged = warm.samples.filter((s) => s.pageMs !== undefined).length;
    if (warmPaged < WARMUP)
      throw new Error(`only ${warmPaged} of ${WARMUP} warm-up alerts were paged: ${describe(warm.samples.find((s) => s.pageMs === undefined))}`);
    await settle('the warm-up', '; the measured alerts shared the bot with them');

    await Promise.all([bot.call('loopStart', 'alerts'), client.call('loopStart', 'alerts')]);
    measured = await burst(WARMUP, TOTAL);
    const [loop, clientLoop] = await Promise.all([bot.call<LoopDelay>('loopStop', 'alerts'), client.call<LoopDelay>('loopStop', 'alerts')]);
    await settle('the measured alerts', ' (the checks below may count them as missing)');

    // Checks: every alert declared its own pdf-404 incident at the planned severity, and level 1 fired once each.
    const samples = measured.samples;
    const ids = samples.flatMap((s) => (s.incident ? [s.incident] : []));
    const { rows: declared } = await pool.query<{ n: number; right: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE playbook_id = $2 AND severity = $3)::int AS right FROM incidents WHERE id = ANY($1::uuid[])`,
      [ids, RUNBOOK, p.severity],
    );
    const { rows: fired } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM escalations WHERE level = 1 AND incident_id = ANY($1::uuid[])`, [
      ids,
    ]);
    const statuses = count(samples.map((s) => String(s.status)));
    const outcomes = count(samples.map((s) => s.outcome ?? '-'));
    const firstTags = count(samples.flatMap((s) => (s.firstTag ? [s.firstTag] : [])));
    const page = samples.flatMap((s) => (s.pageMs !== undefined ? [s.pageMs] : []));
    const floor = samples.flatMap((s) => (s.firstMs !== undefined ? [s.firstMs] : []));
    const callout = samples.flatMap((s) => (s.calloutMs !== undefined ? [s.calloutMs] : []));
    const response = samples.map((s) => s.responseMs);
    const gap = samples.flatMap((s) => (s.pageMs !== undefined && s.firstMs !== undefined ? [s.pageMs - s.firstMs] : []));
    const missing = TOTAL - page.length;
    const triesOf = new Map<string, number | null>();
    for (const [id, n] of tries) triesOf.set(id, await n);
    const once = samples.flatMap((s) => (s.pageMs !== undefined && triesOf.get(s.incident!) === 1 ? [s.pageMs] : []));
    const again = samples.flatMap((s) => (s.pageMs !== undefined && (triesOf.get(s.incident!) ?? 0) > 1 ? [s.pageMs] : []));
    const unknownTries = page.length - once.length - again.length;
    const backoff = QUEUE_POLICIES.chat.jobOptions.backoff;
    const backoffText = typeof backoff === 'object' && backoff.delay ? `${backoff.type} from ${backoff.delay / 1000} s` : JSON.stringify(backoff);

    if (samples.length !== TOTAL) problems.push(`${samples.length} of ${TOTAL} alerts were sent`);
    if (Object.keys(statuses).some((k) => k !== '200')) problems.push(`HTTP statuses: ${text(statuses)}`);
    if (Object.keys(outcomes).some((k) => k !== 'declared')) problems.push(`outcomes: ${text(outcomes)}`);
    if (missing > 0) problems.push(`${missing} of ${TOTAL} pages never reached the fake Slack within ${PAGE_TIMEOUT_MS / 1000} s of their POST`);
    if (declared[0]!.n !== new Set(ids).size || declared[0]!.right !== declared[0]!.n)
      problems.push(`${declared[0]!.n} incidents for ${ids.length} alerts, ${declared[0]!.right} of them ${RUNBOOK} at SEV${p.severity}`);
    if (fired[0]!.n !== ids.length) problems.push(`level 1 fired for ${fired[0]!.n} of ${ids.length} incidents`);
    problems.push(...[...traffic.refusals].map(([what, n]) => `fake Slack refused ${what} ×${n}`));

    const f = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '-');
    const row = (name: string, v: number[]) => [name, String(v.length), ...[50, 90, 99].map((q) => f(percentile(v, q))), f(v.length ? Math.max(...v) : NaN)];
    const p50 = percentile(page, 50);
    const p99 = percentile(page, 99);
    const floor50 = percentile(floor, 50);
    const floor99 = percentile(floor, 99);
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
    const met = missing === 0 && page.length > 0 && p99 <= GOAL_P99_MS;

    out.push(
      '\n7. Alert → page: from POSTing a firing alert to the fake Slack receiving its page (the level-1 direct message)',
      `   bot: the real runtime (role all, as \`incident-bot start\` runs it) in its own process with ALERTS_TOKEN set, on the shipped playbooks/,`,
      '        a fresh schema and Redis prefix; the fake Slack and the load client each in a process of their own.',
      `   Alerts: ${TOTAL} firing Alertmanager webhooks (v4, Bearer token), one alert each, each with its own fingerprint, labels`,
      `           ${Object.entries(LABELS)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} (+ instance) → ${RUNBOOK} at SEV${p.severity}, which pages level 1 (${p.targets.join(', ')}) at declare.`,
      `   The fake workspace has a person whose username is ${p.users.map((u) => u.name).join(', ')} and no user group by that handle, so level 1 resolves`,
      '   to a user and is sent a direct message (a user group would be mentioned and invited, not sent one).',
      `   ${CONCURRENCY} lanes, closed loop: an alert stays in flight until its page arrives (or ${PAGE_TIMEOUT_MS / 1000} s), then its lane posts the next;`,
      `   ${WARMUP} unmeasured warm-up alerts first, and their follow-up jobs finished before the measured ones.`,
      '   page: the chat.postMessage in a DM channel whose metadata names the incident and the key escalation:1.',
      "   floor: the first chat.postMessage naming the incident: setup's header, which the page waits for (with the checklist) by design.",
      `          First messages seen: ${text(firstTags)}.`,
      '   Times in ms from just before the POST (load client clock) to the arrival (fake Slack clock):',
      '',
      table([
        ['   from the POST to', 'n', 'p50', 'p90', 'p99', 'max'],
        row('   HTTP 200 (declared, recorded)', response),
        row('   first message (floor)', floor),
        row('   level-1 callout in the channel', callout),
        row('   page: DM to the level-1 target', page),
        row('   page − first message, per alert', gap),
        row('   page, chat.escalate ran once', once),
        row('   page, chat.escalate retried', again),
      ]),
      '',
      `   The level's delivery (chat.escalate, chat queue) needed more than one try for ${again.length} of ${page.length} pages${unknownTries ? ` (${unknownTries} not found in Redis)` : ''}:`,
      `   a try before setup has posted the header and checklist waits for a retry (the chat queue's backoff, ${backoffText}), which setup's end runs at once (chat.provision promotes it).`,
      `   Loop delay p50/p99/max: bot ${loopText(loop)}, load client ${loopText(clientLoop)} during the measured alerts; ${(measured.wallMs / 1000).toFixed(1)} s for ${TOTAL}.`,
      `   Clock check: the load client and fake Slack processes read the same wall clock to ${Math.abs(skew.skew).toFixed(2)} ms (±${skew.within.toFixed(2)} ms).`,
      `   (${os.cpus().length} CPUs shared by the bench's processes, Redis and Postgres; 1-minute load average at the end: ${os.loadavg()[0]!.toFixed(2)}.)`,
      '',
      `   Ratio page/floor: p50 ${ratio(p50, floor50)}   p99 ${ratio(p99, floor99)}   (${f(p99)} vs ${f(floor99)} ms at p99)`,
      `   Goal: the page within ${GOAL_P99_MS / 1000} s p99: ${missing > 0 ? `${missing} of ${TOTAL} never paged; ` : ''}p99 ${f(p99)} ms → ${met ? 'MET' : 'NOT MET'}`,
    );
    out.push(
      problems.length
        ? `   Problems seen:\n     ${problems.join('\n     ')}`
        : '   No refused Slack calls, no non-200 responses, every alert declared and paged.',
    );
    out.push(`   Section took ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    return { ok: true, text: out.join('\n') };
  } catch (err) {
    const done = measured ? `\nMeasured alerts finished before stopping: ${measured.samples.length}` : '';
    return { ok: false, text: `\n7. Alert → page bench failed: ${bounded.failure(err)}${done}` };
  } finally {
    bounded.done();
    await chat?.close().catch(() => undefined);
    redis?.disconnect();
    // The fake Slack last: the bot's last deliveries still need it.
    await Promise.all(children.slice(1).map((c: Child) => c.stop()));
    await Promise.all(children.slice(0, 1).map((c: Child) => c.stop()));
    await schema?.drop().catch((err: Error) => console.error(`could not drop schema ${schema!.name}: ${err.message}`));
    await dropPrefix(prefix).catch((err: Error) => console.error(`could not delete Redis keys ${prefix}:*: ${err.message}`));
  }
}

function count(values: string[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const v of values) c[v] = (c[v] ?? 0) + 1;
  return c;
}

function text(counts: Record<string, number>): string {
  return (
    Object.entries(counts)
      .map(([k, v]) => `${k} ×${v}`)
      .join(', ') || 'none'
  );
}

function loopText(l: LoopDelay): string {
  return [l.p50, l.p99, l.max].map((v) => (Number.isFinite(v) ? v.toFixed(1) : '-')).join('/');
}

function describe(s: AlertSample | undefined): string {
  if (!s) return 'no sample';
  return `${s.fingerprint}: HTTP ${s.status}, outcome ${s.outcome ?? '-'}, incident ${s.incident ?? '-'}, first message ${s.firstTag ?? 'none'}`;
}

if (require.main === module) {
  void alertPage().then(({ ok, text }) => {
    console.log(text);
    process.exit(ok ? 0 : 1);
  });
}
