/**
 * The escalation lag section of `npm run bench`: how late a level fires after its due time while
 * 10,000 other timers are pending, next to raw BullMQ delayed jobs on the same Redis in the same run.
 *
 *  - bot: the real runtime (role all) in its own process, on a fresh schema and Redis prefix, on a
 *    runbooks folder made at run time: the shipped playbooks/pdf-404.yaml with only its escalation
 *    rewritten, level 1 after 4s (later levels 1h, 2h). First ESCALATION_PENDING incidents whose
 *    level-1 escalation.due is due in 1 h are written with set-based SQL (declaring 10,000 through
 *    declareIncident would take minutes) and the relay moves them into the `escalations` queue.
 *    Then ESCALATION_TIMERS incidents are declared through declareIncident in the bot process,
 *    spread over 8 s, so their level 1 comes due one by one among the pending ones. Lag is
 *    escalated_at − (declared_at + 4 s), both written by the bot's clock, read from Postgres.
 *  - floor: a bare BullMQ Queue + Worker in its own process, with the escalations queue's
 *    concurrency, job options and worker options: ESCALATION_PENDING no-op jobs delayed 1 h, then
 *    ESCALATION_TIMERS added over the same 8 s, each delayed 4 s. Lag is processedOn − (timestamp
 *    + delay), both from that process's clock.
 *
 * Rounds alternate which side goes first; after a bot round, its incidents' follow-up jobs
 * (provisioning, probes, renders, the escalation's chat delivery) finish before the next round.
 *
 *   ESCALATION_TIMERS=200 ESCALATION_PENDING=10000 ESCALATION_ROUNDS=1 ESCALATION_DEADLINE_S=60+60×rounds
 *
 * Runs on its own too: npx tsx bench/escalation-lag.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { parse } from 'yaml';
import { jobIdFor } from '../src/jobs/kinds';
import { createRedis, QUEUE_POLICIES } from '../src/jobs/queues';
import { freshSchema, type TestSchema } from '../test/support/db';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../test/support/redis';
// Types only: importing a value would run that process's main() in this one.
import type { DeclareResult, FloorRunResult } from './escalation-process';
import { BoundedChildren } from './bounded';
import type { Child } from './ipc';
import type { LoopDelay } from './protocol';
import { table } from './report';
import { summarize, type Summary } from './stats';
import { unfinishedOutbox } from './settle';

function setting(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive whole number`);
  return v;
}

const RUNBOOK = 'pdf-404';
const LEVEL1_S = 4;
const LEVEL1_MS = LEVEL1_S * 1000;
const SPREAD_MS = 8_000;
const PENDING_DELAY_MS = 3_600_000;
const GOAL_MS = 1_000;
/** After the last measured timer is due: how long the bench waits for stragglers before calling them missing. */
const FIRE_GRACE_MS = 20_000;
const RELAY_TIMEOUT_MS = 60_000;
const SETTLE_TIMEOUT_MS = 20_000;
const POLL_MS = 100;
const DECLARER = 'UESCALATIONBENCH';
const PENDING_DECLARER = 'UESCALATIONPENDING';

interface Side {
  lagMs: number[];
  /** Timers that had not fired when the bench stopped waiting. */
  missing: number;
  cpu: number;
  loop: LoopDelay;
  /** From the first declare or add to the last. */
  spreadMs: number;
}

interface BotSplit {
  /** BullMQ's due time (timestamp + delay) − the incident's due time: how the relay set the delay. */
  relay: number[];
  /** processedOn − BullMQ's due time: BullMQ promoting the job and a worker taking it. */
  pickup: number[];
  /** escalated_at − processedOn: the handler, up to the decision's clock read. */
  handler: number[];
  /** Jobs that took more than one attempt to fire. */
  retried: number;
}

interface Round {
  round: number;
  order: Array<'floor' | 'bot'>;
  floor?: Side;
  bot?: Side & { split: BotSplit; declareFailed: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The bench's runbooks folder: the shipped pdf-404 with only its escalation ladder rewritten, so
 * level 1 comes due within the bench and no other level during it. Read from playbooks/ each run,
 * so the bench follows the runbook as it ships.
 */
function benchRunbooks(): { dir: string; levels: string[] } {
  const shipped = readFileSync(path.resolve(__dirname, '../playbooks', `${RUNBOOK}.yaml`), 'utf8');
  const original = parse(shipped) as { escalation: Array<{ after: string; notify: string[] }> };
  const levels = [`${LEVEL1_S}s`, '1h', '2h'].slice(0, Math.max(1, original.escalation.length));
  const ladder = levels.map((after, i) => `  - after: ${after}\n    notify: ${JSON.stringify(original.escalation[i]!.notify)}\n`).join('');
  const block = /^escalation:\n(?:[ \t]+.*\n|[ \t]*\n)*/m;
  if (!block.test(shipped)) throw new Error(`playbooks/${RUNBOOK}.yaml has no block-style escalation: list to rewrite`);
  const rewritten = shipped.replace(block, `escalation:\n${ladder}`);
  // Nothing but the ladder may differ, or the bench would measure some other runbook.
  const parsed = parse(rewritten) as typeof original;
  const expected = { ...original, escalation: levels.map((after, i) => ({ ...original.escalation[i]!, after })) };
  if (!isDeepStrictEqual(parsed, expected)) throw new Error(`rewriting the escalation of playbooks/${RUNBOOK}.yaml changed more than its ladder`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'escalation-bench-'));
  writeFileSync(path.join(dir, `${RUNBOOK}.yaml`), rewritten);
  return { dir, levels };
}

/** Never throws: a section that could not run says why in its text, with ok false. */
export function escalationLag(): Promise<{ ok: boolean; text: string }> {
  return section().catch((err: Error) => ({ ok: false, text: `\n4. Escalation lag bench failed: ${err.stack ?? String(err)}` }));
}

async function section(): Promise<{ ok: boolean; text: string }> {
  const TIMERS = setting('ESCALATION_TIMERS', 200);
  const PENDING = setting('ESCALATION_PENDING', 10_000);
  const ROUNDS = setting('ESCALATION_ROUNDS', 1);
  const DEADLINE_S = setting('ESCALATION_DEADLINE_S', 60 + 60 * ROUNDS);
  const policy = QUEUE_POLICIES.escalations;

  const started = performance.now();
  const out: string[] = [];
  const problems: string[] = [];
  const rounds: Round[] = [];
  let schema: TestSchema | null = null;
  let runbooksDir: string | null = null;
  let redis: Redis | null = null;
  let escalations: Queue | null = null;
  const prefix = uniquePrefix();

  const bounded = new BoundedChildren(DEADLINE_S, 'ESCALATION_DEADLINE_S');
  const { children } = bounded;
  const alive = () => bounded.alive();
  const spawn = <R>(name: string, script: string, env?: Record<string, string>) => bounded.spawn<R>(name, script, env);

  try {
    const runbooks = benchRunbooks();
    runbooksDir = runbooks.dir;
    schema = await freshSchema();
    const pool = schema.pool;
    const { ready: slackReady } = await spawn<{ url: string; apiUrl: string }>('fake Slack (escalations)', '../test/support/bench-fake-slack-server.ts');
    const [{ child: bot }, { child: floor }] = await Promise.all([
      spawn<void>('escalation bot', 'escalation-process.ts', {
        ESCALATION_ROLE: 'bot',
        ESCALATION_DATABASE_URL: schema.url,
        ESCALATION_REDIS_URL: TEST_REDIS_URL,
        ESCALATION_QUEUE_PREFIX: prefix,
        ESCALATION_RUNBOOKS_DIR: runbooks.dir,
        ESCALATION_RUNBOOK: RUNBOOK,
        ESCALATION_SLACK_API_URL: slackReady.apiUrl,
      }),
      spawn<void>('raw BullMQ floor (escalations)', 'escalation-process.ts', {
        ESCALATION_ROLE: 'floor',
        ESCALATION_REDIS_URL: TEST_REDIS_URL,
        ESCALATION_QUEUE_PREFIX: prefix,
      }),
    ]);
    redis = createRedis(TEST_REDIS_URL);
    escalations = new Queue('escalations', { connection: redis, prefix });

    // The pending timers, bot side: rows as a declare writes them, minus what plays no part in
    // when a timer fires (checklist, declared event, provisioning, probes).
    const t0 = performance.now();
    await pool.query(
      `WITH made AS (
         INSERT INTO incidents (playbook_id, class, title, severity, status, platform, declared_by, commander, declared_at)
         SELECT $2, 'pdf', 'escalation bench pending ' || g, 2, 'declared', 'slack', $3, $3, now() FROM generate_series(1, $1) g
         RETURNING id
       )
       INSERT INTO outbox (incident_id, kind, payload, dedupe_key, run_at)
       SELECT id, 'escalation.due', jsonb_build_object('incidentId', id, 'level', 1), id || ':escalation:1:due', now() + make_interval(secs => $4)
       FROM made`,
      [PENDING, RUNBOOK, PENDING_DECLARER, PENDING_DELAY_MS / 1000],
    );
    const inserted = performance.now();
    for (;;) {
      alive();
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`);
      if (rows[0]!.n === 0) break;
      if (performance.now() - inserted > RELAY_TIMEOUT_MS)
        throw new Error(`the relay had not moved ${rows[0]!.n} of ${PENDING} pending rows after ${RELAY_TIMEOUT_MS / 1000} s`);
      await sleep(POLL_MS);
    }
    const relayed = performance.now();
    const botPending = await escalations.getDelayedCount();
    if (botPending < PENDING) throw new Error(`the escalations queue holds ${botPending} delayed jobs, not the ${PENDING} pending timers`);
    const floorPending = await floor.call<number>('pend', { count: PENDING, delayMs: PENDING_DELAY_MS }, 60_000);
    if (floorPending < PENDING) throw new Error(`the floor's queue holds ${floorPending} delayed jobs, not ${PENDING}`);

    /** The round's result, with the CPU time and event-loop delay of its process meanwhile. */
    const window = async <T>(side: Child, kind: string, run: () => Promise<T>): Promise<{ result: T; cpu: number; loop: LoopDelay }> => {
      const cpuBefore = await side.call<number>('cpu');
      await side.call('loopStart', kind);
      const t = performance.now();
      const result = await run();
      const ms = performance.now() - t;
      const loop = await side.call<LoopDelay>('loopStop', kind);
      return { result, cpu: ((await side.call<number>('cpu')) - cpuBefore) / ms, loop };
    };

    /** Until every outbox row due within the minute has finished: the follow-ups of the last round. */
    const settle = async (what: string) => {
      const left = await unfinishedOutbox(pool, { timeoutMs: SETTLE_TIMEOUT_MS, pollMs: POLL_MS, alive });
      if (left > 0)
        problems.push(`${left} outbox rows still unfinished ${SETTLE_TIMEOUT_MS / 1000} s after ${what}; the next round shared the process with them`);
    };

    const floorRound = async (): Promise<Side> => {
      const timeoutMs = SPREAD_MS + LEVEL1_MS + FIRE_GRACE_MS;
      const { result, cpu, loop } = await window(floor, 'floor', () =>
        floor.call<FloorRunResult>('run', { count: TIMERS, spreadMs: SPREAD_MS, delayMs: LEVEL1_MS, timeoutMs }, timeoutMs + 10_000),
      );
      if (result.failed > 0) problems.push(`${result.failed} floor jobs failed`);
      return { lagMs: result.lagMs, missing: TIMERS - result.lagMs.length, cpu, loop, spreadMs: result.addMs };
    };

    const botRound = async (round: number): Promise<NonNullable<Round['bot']>> => {
      const actorId = `${DECLARER}${round}`;
      const {
        result: d,
        cpu,
        loop,
      } = await window(bot, 'bot', async () => {
        const declared = await bot.call<DeclareResult>('declare', { count: TIMERS, spreadMs: SPREAD_MS, actorId }, SPREAD_MS + 60_000);
        // The last declare has committed, so the last timer is due at most LEVEL1_MS from now.
        const until = performance.now() + LEVEL1_MS + FIRE_GRACE_MS;
        for (;;) {
          alive();
          const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM escalations WHERE level = 1 AND incident_id = ANY($1::uuid[])`, [
            declared.ids,
          ]);
          if (rows[0]!.n >= declared.ids.length || performance.now() > until) return declared;
          await sleep(POLL_MS);
        }
      });
      const ids = d.ids;
      if (d.failed > 0) problems.push(`round ${round}: ${d.failed} declares failed (first: ${d.firstError})`);
      const { rows } = await pool.query<{ id: string; declared_at: Date; escalated_at: Date }>(
        `SELECT i.id, i.declared_at, e.escalated_at FROM incidents i JOIN escalations e ON e.incident_id = i.id AND e.level = 1 WHERE i.id = ANY($1::uuid[])`,
        [ids],
      );
      const split: BotSplit = { relay: [], pickup: [], handler: [], retried: 0 };
      const lagMs: number[] = [];
      for (const r of rows) {
        const due = r.declared_at.getTime() + LEVEL1_MS;
        lagMs.push(r.escalated_at.getTime() - due);
        // The job's own times, all from the bot process's clock like the two columns above.
        const job = await escalations!.getJob(jobIdFor(`${r.id}:escalation:1:due`));
        if (!job?.processedOn) continue;
        // Promotion zeroes job.delay; the delay asked for stays in its options.
        const bullDue = job.timestamp + (job.opts.delay ?? 0);
        split.relay.push(bullDue - due);
        split.pickup.push(job.processedOn - bullDue);
        split.handler.push(r.escalated_at.getTime() - job.processedOn);
        if (job.attemptsMade > 1 || (job.attemptsStarted ?? 1) > 1) split.retried++;
      }
      await settle(`bot round ${round}`);
      return { lagMs, missing: ids.length - lagMs.length, cpu, loop, spreadMs: d.ms, split, declareFailed: d.failed };
    };

    for (let round = 1; round <= ROUNDS; round++) {
      const order: Round['order'] = round % 2 === 1 ? ['floor', 'bot'] : ['bot', 'floor'];
      const r: Round = { round, order };
      rounds.push(r);
      for (const side of order) {
        if (side === 'floor') r.floor = await floorRound();
        else r.bot = await botRound(round);
      }
    }
    const delayedAfter = await escalations.getDelayedCount();
    // A worker idle until the next delayed job blocks on Redis with that timeout, which Redis serves
    // on its own timer tick: this bounds how late either side can see a due job on a quiet Redis.
    const hz = await redis
      .call('CONFIG', 'GET', 'hz')
      .then((r) => Number((r as string[])[1]))
      .catch(() => NaN);

    // Report.
    const floorAll = summarize(rounds.flatMap((r) => r.floor!.lagMs));
    const botAll = summarize(rounds.flatMap((r) => r.bot!.lagMs));
    const missing = (side: 'floor' | 'bot') => rounds.reduce((n, r) => n + r[side]!.missing, 0);
    const late = (side: 'floor' | 'bot') => rounds.reduce((n, r) => n + r[side]!.lagMs.filter((v) => v > GOAL_MS).length, 0);
    const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
    const cpu = (share: number) => `${(share * 100).toFixed(0)}%`;
    const loopText = (l: LoopDelay) => `${ms(l.p99)}/${ms(l.max)}`;
    const row = (label: string, s: Summary, missed: number, over: number, extra: string[]) => [
      label,
      String(s.n),
      ms(s.p50),
      ms(s.p99),
      ms(s.max),
      String(over),
      String(missed),
      ...extra,
    ];
    const gap = (SPREAD_MS / TIMERS).toFixed(0);

    out.push(
      `\n4. Escalation lag: level 1 of ${TIMERS} incidents comes due ${LEVEL1_S} s after its declare while ${PENDING.toLocaleString('en-US')} other timers are pending,`,
      '   next to raw BullMQ delayed jobs on the same Redis',
      `   bot:   the real runtime (role all) in its own process, on a copy of playbooks/${RUNBOOK}.yaml made at run time whose escalation is`,
      `          ${runbooks.levels.join(', ')} (only the ladder rewritten), a fresh schema and Redis prefix, and a fake Slack in its own process.`,
      `          Pending: ${PENDING.toLocaleString('en-US')} incidents and their level-1 escalation.due outbox rows, due in 1 h, inserted with set-based SQL`,
      `          (not through declareIncident); the relay moved them into Redis in ${((relayed - inserted) / 1000).toFixed(1)} s (insert ${((inserted - t0) / 1000).toFixed(1)} s), and the`,
      `          escalations queue held ${botPending.toLocaleString('en-US')} delayed jobs before the first round (${delayedAfter.toLocaleString('en-US')} after the last: the measured incidents' later levels and diagnosis timers).`,
      `          Measured: ${TIMERS} incidents per round declared through declareIncident in the bot process, one every ${gap} ms over ${SPREAD_MS / 1000} s (each`,
      '          also provisions its channel, runs its auto probes and, once level 1 fires, delivers it to the fake Slack, all in the same process).',
      `          Lag = escalated_at − (declared_at + ${LEVEL1_S} s), both written by the bot's clock, read from Postgres once every timer fired.`,
      `   floor: a bare BullMQ Queue + Worker in its own process (concurrency ${policy.concurrency}, the escalations queue's job and worker options),`,
      `          ${PENDING.toLocaleString('en-US')} no-op jobs delayed 1 h, then ${TIMERS} per round added one every ${gap} ms, each delayed ${LEVEL1_S} s;`,
      "          lag = processedOn − (timestamp + delay), both from that process's clock.",
      `   ${ROUNDS} round${ROUNDS > 1 ? 's' : ''}, alternating which side goes first; a bot round ends once its incidents' follow-up jobs have finished.`,
      '',
    );
    const header = ['   round  side', 'n', 'p50 ms', 'p99 ms', 'max ms', '> 1 s late', 'missing', 'spread s', 'process CPU', 'loop delay p99/max ms'];
    const rowsOut: string[][] = [header];
    for (const r of rounds) {
      for (const side of r.order) {
        const s = r[side]!;
        rowsOut.push(
          row(`   ${String(r.round).padEnd(5)}  ${side}`, summarize(s.lagMs), s.missing, s.lagMs.filter((v) => v > GOAL_MS).length, [
            (s.spreadMs / 1000).toFixed(1),
            cpu(s.cpu),
            loopText(s.loop),
          ]),
        );
      }
    }
    if (ROUNDS > 1) {
      rowsOut.push(row('   pooled floor', floorAll, missing('floor'), late('floor'), ['', '', '']));
      rowsOut.push(row('   pooled bot', botAll, missing('bot'), late('bot'), ['', '', '']));
    }
    out.push(table(rowsOut));

    const split = rounds.reduce<BotSplit>(
      (a, r) => ({
        relay: [...a.relay, ...r.bot!.split.relay],
        pickup: [...a.pickup, ...r.bot!.split.pickup],
        handler: [...a.handler, ...r.bot!.split.handler],
        retried: a.retried + r.bot!.split.retried,
      }),
      { relay: [], pickup: [], handler: [], retried: 0 },
    );
    const fig = (v: number[]) => {
      const s = summarize(v);
      return `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`;
    };
    out.push(
      `   Where the bot's lag goes, p50 / p99 / max ms over ${split.pickup.length} jobs (from each escalation.due job's BullMQ times, bot clock):`,
      `     relay: BullMQ due time − incident due time   ${fig(split.relay)}`,
      `     BullMQ: picked up − BullMQ due time           ${fig(split.pickup)}`,
      `     handler: escalated_at − picked up             ${fig(split.handler)}` + (split.retried ? `   (${split.retried} took more than one attempt)` : ''),
      ...(Number.isFinite(hz) && hz > 0
        ? [
            `   (Redis hz ${hz}: a worker blocked until its next delayed job is due is woken on Redis's ${(1000 / hz).toFixed(0)} ms timer tick unless other`,
            '   traffic wakes Redis sooner, so on a quiet Redis a due job can be seen up to that late, by the floor and the bot alike.)',
          ]
        : []),
      `   (process CPU: CPU time of that side's process during its window, as a share of one core; this machine has ${os.cpus().length} CPUs`,
      `   shared by the bench's processes, Redis and Postgres. 1-minute load average at the end: ${os.loadavg()[0]!.toFixed(2)}.)`,
      '',
    );

    const lost = missing('bot');
    // A declare that failed set no timer: the goal is not shown for every timer asked for.
    const unset = rounds.reduce((n, r) => n + r.bot!.declareFailed, 0);
    const met = lost === 0 && unset === 0 && botAll.n > 0 && botAll.max <= GOAL_MS;
    const maxText =
      lost > 0 ? `${lost} of ${botAll.n + lost} never fired within ${(LEVEL1_MS + FIRE_GRACE_MS) / 1000} s of the last declare` : `max ${ms(botAll.max)} ms`;
    out.push(
      `   bot   p50 ${ms(botAll.p50)}   p99 ${ms(botAll.p99)}   max ${ms(botAll.max)} ms   (${late('bot')} of ${botAll.n} fired more than 1 s late)`,
      `   floor p50 ${ms(floorAll.p50)}   p99 ${ms(floorAll.p99)}   max ${ms(floorAll.max)} ms   (${late('floor')} of ${floorAll.n} more than 1 s late)`,
      `   Ratio bot/floor p99: ${floorAll.p99 > 0 ? `${(botAll.p99 / floorAll.p99).toFixed(1)}x` : 'n/a (floor p99 is 0 ms)'} (${ms(botAll.p99)} vs ${ms(floorAll.p99)} ms)`,
      `   Goal: level fires within 1 s of its due time with ${PENDING.toLocaleString('en-US')} timers pending: ${maxText} (p99 ${ms(botAll.p99)} ms) → ${met ? 'MET' : 'NOT MET'}`,
    );
    out.push(problems.length ? `   Problems seen:\n     ${problems.join('\n     ')}` : '   No failed declares, no failed floor jobs, every round settled.');
    out.push(`   Section took ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    return { ok: true, text: out.join('\n') };
  } catch (err) {
    const lines = rounds.flatMap((r) =>
      (['floor', 'bot'] as const).flatMap((side) => {
        const s = r[side];
        if (!s) return [];
        const f = summarize(s.lagMs);
        return [`  ${side} round ${r.round}: n ${f.n}, p50 ${f.p50.toFixed(1)} p99 ${f.p99.toFixed(1)} max ${f.max.toFixed(1)} ms, ${s.missing} missing`];
      }),
    );
    const why = bounded.failure(err);
    return { ok: false, text: `\n4. Escalation lag bench failed: ${why}${lines.length ? `\nRounds finished before stopping:\n${lines.join('\n')}` : ''}` };
  } finally {
    bounded.done();
    await escalations?.close().catch(() => undefined);
    redis?.disconnect();
    // The fake Slack last: the bot's last deliveries still need it.
    await Promise.all(children.slice(1).map((c) => c.stop()));
    await Promise.all(children.slice(0, 1).map((c) => c.stop()));
    await schema?.drop().catch((err: Error) => console.error(`could not drop schema ${schema!.name}: ${err.message}`));
    await dropPrefix(prefix).catch((err: Error) => console.error(`could not delete Redis keys ${prefix}:*: ${err.message}`));
    if (runbooksDir) rmSync(runbooksDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void escalationLag().then(({ ok, text }) => {
    console.log(text);
    process.exit(ok ? 0 : 1);
  });
}
