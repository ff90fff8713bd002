/**
 * The probe pipeline section of `npm run bench`: how many http probes a second the bot carries
 * from enqueue to stored result, next to a fair floor: raw BullMQ jobs on the same Redis in the same run
 * that make the same request to the same target and commit one row per result.
 *
 *  - probe: the real runtime (role all) in its own process, on a fresh schema and Redis prefix.
 *    PROBE_RUNS runs of `me-standard-user`, spread over PROBE_INCIDENTS declared incidents and
 *    queued with one change per incident (queueProbes through store.mutate: the runs, their event
 *    and one probe.runs job, in one transaction, as a declare or "Run all checks" queues them);
 *    the relay moves the jobs to the `probes` queue; the worker calls GET /api/v1/me on a target in
 *    its own process through safeFetch and records each result (recordProbeResult, written in
 *    batches). Results queue chat.renders, paced as in production, to a fake Slack in its own
 *    process. Timed here, from sending the enqueue command to the poll of Postgres that sees
 *    every result's probe.finished event.
 *  - as clicks: once more after the measured rounds, the same runs queued by PROBE_RUNS separate
 *    runProbes calls (one lane per incident), as people clicking Run probe would: one transaction
 *    and one job per run. Reported beside the pooled figures, not pooled with them.
 *  - floor: a bare BullMQ Queue + Worker in its own process, with the probes queue's job and
 *    worker options and the bot's cap of checks at once (PROBES_AT_ONCE) as concurrency; each of
 *    PROBE_RUNS jobs (one addBulk) makes GET /api/v1/me to the same target and commits one row
 *    with the result to Postgres; timed in that process from the first add to the last 'completed'.
 *
 * Rounds alternate floor/probe after unmeasured warm-up; before each round every outbox row of
 * the round before has finished (renders included), so no round inherits another's work.
 *
 *   PROBE_RUNS=1000 PROBE_ROUNDS=2 PROBE_INCIDENTS=10 PROBE_WARMUP=100 PROBE_DEADLINE_S=60
 *
 * Runs on its own too: npx tsx bench/probe-pipeline.ts
 */
import os from 'node:os';
import { PROBES_AT_ONCE } from '../src/probes/runner';
import { freshSchema, type TestSchema } from '../test/support/db';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../test/support/redis';
import { BoundedChildren } from './bounded';
import type { Child } from './ipc';
import type { EnqueueArgs, EnqueueResult } from './probe-process';
import { unfinishedOutbox } from './settle';

function setting(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive whole number`);
  return v;
}

const GOAL_RATIO = 0.7;
const POLL_MS = 5;
// Generous: on a loaded machine the round of 1,000 separate calls takes tens of seconds.
const ROUND_TIMEOUT_MS = 60_000;
const SETTLE_TIMEOUT_MS = 15_000;
const DECLARER = 'UPROBEBENCH';
const FIRST_DECLARER = 'UPROBEFIRST';

interface Round {
  round: number;
  floor?: { ms: number; failed: number; cpu: number };
  probe?: { ms: number; enqueue: EnqueueResult; statuses: Record<string, number>; cpu: number };
}

const perSecond = (n: number, ms: number) => (n / ms) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Never throws: a section that could not run says why in its text, with ok false. */
export function probePipeline(): Promise<{ ok: boolean; text: string }> {
  return section().catch((err: Error) => ({ ok: false, text: `\n3. Probe pipeline bench failed: ${err.stack ?? String(err)}` }));
}

async function section(): Promise<{ ok: boolean; text: string }> {
  const RUNS = setting('PROBE_RUNS', 1000);
  const ROUNDS = setting('PROBE_ROUNDS', 2);
  const INCIDENTS = setting('PROBE_INCIDENTS', 10);
  const WARMUP = setting('PROBE_WARMUP', 100);
  const DEADLINE_S = setting('PROBE_DEADLINE_S', 60);
  const concurrency = PROBES_AT_ONCE;

  const started = performance.now();
  const out: string[] = [];
  const problems: string[] = [];
  const rounds: Round[] = [];
  let schema: TestSchema | null = null;
  const prefix = uniquePrefix();

  const bounded = new BoundedChildren(DEADLINE_S, 'PROBE_DEADLINE_S');
  const { children } = bounded;
  const alive = () => bounded.alive();
  const spawn = <R>(name: string, script: string, env?: Record<string, string>) => bounded.spawn<R>(name, script, env);

  try {
    schema = await freshSchema();
    const pool = schema.pool;
    const [target, slack] = await Promise.all([
      spawn<{ port: number }>('probe target', 'probe-target.ts'),
      spawn<{ url: string; apiUrl: string }>('fake Slack (probes)', '../test/support/bench-fake-slack-server.ts'),
    ]);
    const host = `127.0.0.1:${target.ready.port}`;
    const [{ child: bot }, { child: floor }] = await Promise.all([
      spawn<void>('probe bot', 'probe-process.ts', {
        PROBE_ROLE: 'bot',
        XP: process.env.XP ?? '',
        XR: process.env.XR ?? '',
        PROBE_DATABASE_URL: schema.url,
        PROBE_REDIS_URL: TEST_REDIS_URL,
        PROBE_QUEUE_PREFIX: prefix,
        PROBE_SLACK_API_URL: slack.ready.apiUrl,
        PROBE_API_URL: `http://${host}`,
        PROBE_ALLOWED_HOSTS: host,
      }),
      spawn<void>('raw BullMQ floor', 'probe-process.ts', {
        PROBE_ROLE: 'floor',
        PROBE_REDIS_URL: TEST_REDIS_URL,
        PROBE_QUEUE_PREFIX: prefix,
        PROBE_API_URL: `http://${host}`,
        PROBE_DATABASE_URL: schema.url,
      }),
    ]);

    /** Until every outbox row due now has finished: the jobs of the last round, renders included. */
    const settle = async (what: string) => {
      const left = await unfinishedOutbox(pool, { timeoutMs: SETTLE_TIMEOUT_MS, pollMs: 50, alive });
      if (left > 0)
        problems.push(`${left} outbox rows still unfinished ${SETTLE_TIMEOUT_MS / 1000} s after ${what}; the next round shared the process with them`);
    };

    /** The round's result, with the CPU time its process used meanwhile as a share of one core. */
    const withCpu = async <T extends { ms: number }>(side: Child, run: () => Promise<T>): Promise<T & { cpu: number }> => {
      const before = await side.call<number>('cpu');
      const result = await run();
      return { ...result, cpu: ((await side.call<number>('cpu')) - before) / result.ms };
    };
    const floorRound = (total: number) => floor.call<{ ms: number; failed: number }>('run', { total, timeoutMs: ROUND_TIMEOUT_MS }, ROUND_TIMEOUT_MS + 5_000);

    let batch = 0;
    const probeRound = async (incidentIds: string[], total: number, mode: EnqueueArgs['mode'] = 'bulk') => {
      const actorId = `UPROBER${++batch}`;
      const args: EnqueueArgs = { incidentIds, total, actorId, requestPrefix: `bench-${batch}`, mode };
      // Assigned in callbacks: declared through a cast so TypeScript does not narrow them to null.
      let enqueued = null as EnqueueResult | null;
      let enqueueError = null as Error | null;
      // The poll counts this round's probe.finished events (written with each result) by the
      // timeline's primary key: a scan of probe_runs every 5 ms would load the Postgres it measures.
      const { rows: before } = await pool.query<{ id: string }>(`SELECT COALESCE(max(id), 0) AS id FROM incident_events`);
      const t0 = performance.now();
      const enqueueCall = bot.call<EnqueueResult>('enqueue', args, ROUND_TIMEOUT_MS).then(
        (r) => (enqueued = r),
        (err: Error) => (enqueueError = err),
      );
      let t1: number;
      for (;;) {
        alive();
        if (enqueueError) throw enqueueError;
        const { rows } = await pool.query<{ done: number }>(`SELECT count(*)::int AS done FROM incident_events WHERE id > $1 AND kind = 'probe.finished'`, [
          before[0]!.id,
        ]);
        const expected = total - (enqueued?.failed ?? 0);
        if (rows[0]!.done >= expected && (enqueued || rows[0]!.done >= total)) {
          t1 = performance.now();
          break;
        }
        if (performance.now() - t0 > ROUND_TIMEOUT_MS) throw new Error(`${rows[0]!.done} of ${total} probe runs finished after ${ROUND_TIMEOUT_MS} ms`);
        await sleep(POLL_MS);
      }
      await enqueueCall;
      // Read through a function: the checks inside the loop narrowed the variable to null here.
      const late = ((): Error | null => enqueueError)();
      if (late) throw late;
      const enqueue = enqueued!;
      if (enqueue.failed > 0) problems.push(`${enqueue.failed} runProbes calls failed (first: ${enqueue.firstError})`);
      const { rows } = await pool.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM probe_runs WHERE requested_by = $1 GROUP BY status ORDER BY status`,
        [actorId],
      );
      return { ms: t1 - t0, enqueue, statuses: Object.fromEntries(rows.map((r) => [r.status, r.n])) };
    };

    // The incidents the probes run for, provisioned in the fake Slack with their own auto probes done.
    const incidentIds = await bot.call<string[]>('declare', { count: INCIDENTS, actorId: DECLARER });
    await settle('declaring the incidents');

    // Unmeasured warm-up of both sides.
    await floorRound(WARMUP);
    await probeRound(incidentIds, WARMUP);
    await settle('the warm-up');

    for (let round = 1; round <= ROUNDS; round++) {
      const r: Round = { round };
      rounds.push(r);
      r.floor = await withCpu(floor, () => floorRound(RUNS));
      if (r.floor.failed > 0) problems.push(`floor round ${round}: ${r.floor.failed} jobs failed`);
      r.probe = await withCpu(bot, () => probeRound(incidentIds, RUNS));
      await settle(`probe round ${round}`);
    }
    const clicks = await withCpu(bot, () => probeRound(incidentIds, RUNS, 'calls'));
    await settle('the round as clicks');

    // Declare → first probe result, on an idle bot: a new incident, whose auto probes are its first.
    const t0 = performance.now();
    await bot.call<string[]>('declare', { count: 1, actorId: FIRST_DECLARER });
    const seen = new Map<string, { ms: number; status: string }>();
    let autoProbes = 0;
    while (autoProbes === 0 || seen.size < autoProbes) {
      alive();
      const { rows } = await pool.query<{ probe_id: string; status: string }>(`SELECT probe_id, status FROM probe_runs WHERE requested_by = $1`, [
        FIRST_DECLARER,
      ]);
      const now = performance.now();
      autoProbes = rows.length;
      for (const row of rows) if (row.status !== 'queued' && !seen.has(row.probe_id)) seen.set(row.probe_id, { ms: now - t0, status: row.status });
      if (now - t0 > ROUND_TIMEOUT_MS) throw new Error(`the new incident's probes had not all finished after ${ROUND_TIMEOUT_MS} ms`);
      await sleep(POLL_MS);
    }
    const served = await target.child.call<{ me: number; other: number }>('counts');

    // Report.
    const pooled = (side: 'floor' | 'probe') => {
      const ms = rounds.reduce((sum, r) => sum + r[side]!.ms, 0);
      return perSecond(RUNS * rounds.length, ms);
    };
    const floorRate = pooled('floor');
    const probeRate = pooled('probe');
    const ratio = probeRate / floorRate;
    const fmt = (n: number, w = 7) => n.toFixed(0).padStart(w);
    const ms = (n: number, w = 8) => n.toFixed(1).padStart(w);
    out.push(
      `\n3. Probe pipeline: ${RUNS} http probes (${'me-standard-user'}, GET /api/v1/me) from enqueue to stored result, next to raw BullMQ on the same Redis`,
      `   probe: the real runtime (role all) in its own process; ${RUNS} runs over ${INCIDENTS} incidents, queued as one change per incident`,
      '          (its runs, event and one probe.runs job in one transaction, as a declare or "Run all checks" queues them)',
      '          → outbox → relay → `probes` queue → worker → safeFetch to a target in its own process → recordProbeResult (in batches).',
      '          Results queue paced chat.renders, as in production (to a fake Slack in its own process). Timed in the bench process from',
      `          sending the enqueue command to the Postgres poll (every ${POLL_MS} ms) that sees all ${RUNS} probe_runs finished.`,
      `   floor: a bare BullMQ Queue + Worker in its own process (concurrency ${concurrency}, the bot's cap of checks at once; the probes`,
      `          queue's job and worker options), ${RUNS} jobs in one addBulk, each GET /api/v1/me on the same target + one committed INSERT`,
      "          of its result; from the first add to the last 'completed'.",
      `   ${ROUNDS} rounds each, alternating floor/probe after ${WARMUP} unmeasured warm-up jobs/probes each; each round starts once the`,
      '   outbox of the one before has finished (renders included).',
      '',
      '   round   floor: raw BullMQ                   probe pipeline                     of which enqueue     results',
      '           per s        ms   process CPU         per s        ms   process CPU         (ms)',
    );
    const cpu = (share: number) => `${(share * 100).toFixed(0).padStart(4)}%`;
    for (const r of rounds) {
      const st = Object.entries(r.probe!.statuses)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ');
      out.push(
        `   ${String(r.round).padEnd(6)}  ${fmt(perSecond(RUNS, r.floor!.ms))} ${ms(r.floor!.ms)}   ${cpu(r.floor!.cpu)}         ` +
          `${fmt(perSecond(RUNS, r.probe!.ms))} ${ms(r.probe!.ms)}   ${cpu(r.probe!.cpu)}         ${ms(r.probe!.enqueue.ms)}           ${st}`,
      );
    }
    const clickRate = perSecond(RUNS, clicks.ms);
    out.push(
      `   pooled  ${fmt(floorRate)}                              ${fmt(probeRate)}`,
      `   as clicks (${RUNS} separate runProbes calls, one transaction and one job per run; once, not pooled):`,
      `                                               ${fmt(clickRate)} ${ms(clicks.ms)}   ${cpu(clicks.cpu)}         ${ms(clicks.enqueue.ms)}           ` +
        `${Object.entries(clicks.statuses)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')}  (${((clickRate / floorRate) * 100).toFixed(1)}% of the floor)`,
      `   (process CPU: CPU time of that side's process during the round, as a share of one core; this machine has ${os.cpus().length} CPUs`,
      `   shared by the bench's processes, Redis and Postgres. 1-minute load average at the end: ${os.loadavg()[0]!.toFixed(2)}.)`,
      '',
      `   Ratio probe/floor throughput: ${ratio.toFixed(3)} (${probeRate.toFixed(0)} vs ${floorRate.toFixed(0)} per s)`,
      `   Goal: probe throughput ≥ ${(GOAL_RATIO * 100).toFixed(0)}% of the floor's: ${(ratio * 100).toFixed(1)}% → ${ratio >= GOAL_RATIO ? 'MET' : 'NOT MET'}`,
    );
    const order = [...seen].sort((a, b) => a[1].ms - b[1].ms);
    const [firstId, first] = order[0]!;
    const me = seen.get('me-standard-user');
    out.push(
      `\n   Declare → first probe result (one more incident on the idle bot, its ${autoProbes} auto probes; from the declare call to the poll):`,
      `     first result ${first.ms.toFixed(1)} ms (${firstId}: ${first.status})` +
        (me ? `; me-standard-user ${me.ms.toFixed(1)} ms (${me.status})` : '') +
        `; all ${autoProbes} ${order[order.length - 1]![1].ms.toFixed(1)} ms`,
      `     (${order.map(([id, s]) => `${id} ${s.status} ${s.ms.toFixed(0)} ms`).join(', ')})`,
      `   The target answered ${served.me} GET /api/v1/me (floor and bot) and ${served.other} other requests.`,
    );
    out.push(problems.length ? `   Problems seen:\n     ${problems.join('\n     ')}` : '   No failed enqueues, no failed floor jobs, every round settled.');
    out.push(`   Section took ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    return { ok: true, text: out.join('\n') };
  } catch (err) {
    const lines = rounds.flatMap((r) => [
      ...(r.floor ? [`  floor round ${r.round}: ${r.floor.ms.toFixed(1)} ms`] : []),
      ...(r.probe ? [`  probe round ${r.round}: ${r.probe.ms.toFixed(1)} ms`] : []),
    ]);
    const why = bounded.failure(err);
    return { ok: false, text: `\n3. Probe pipeline bench failed: ${why}${lines.length ? `\nRounds finished before stopping:\n${lines.join('\n')}` : ''}` };
  } finally {
    bounded.done();
    // The bot first: its last renders and probes still need the fake Slack and the target.
    await Promise.all(children.slice(2).map((c) => c.stop()));
    await Promise.all(children.slice(0, 2).map((c) => c.stop()));
    await schema?.drop().catch((err: Error) => console.error(`could not drop schema ${schema!.name}: ${err.message}`));
    await dropPrefix(prefix).catch((err: Error) => console.error(`could not delete Redis keys ${prefix}:*: ${err.message}`));
  }
}

if (require.main === module) {
  void probePipeline().then(({ ok, text }) => {
    console.log(text);
    process.exit(ok ? 0 : 1);
  });
}
