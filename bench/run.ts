/**
 * npm run bench: how much slower than a bare Bolt app the bot is, measured honestly.
 *
 *  1. Ack latency of signed `/incident` slash commands (time to HTTP 200): a bare Bolt app that
 *     only acks (the floor) against the bot during a burst of `/incident pdf-404 bench N`.
 *  2. Click → chat.update: time from sending a signed step-button click to the fake Slack
 *     receiving the chat.update whose blocks show that step in its new state. Floor: a bare Bolt
 *     app that acks and calls chat.update at once.
 *
 * Five processes, so nothing measured shares an event loop with the measuring: this one
 * (orchestrates, prints), the fake Slack Web API, the floor, the bot, and the load client.
 * Floor and bot rounds alternate, after unmeasured warm-up; percentiles pool all rounds.
 *
 * Then, each on its own schema (and Redis prefix and processes where it has any) once the one
 * before has cleaned up: 3. the probe pipeline, 4. escalation lag, 5. the KPI report, 6. the
 * console's incident page, 7. alert → page (bench/alert-page.ts: a firing alert's POST to the
 * level-1 direct message). BENCH_DEADLINE_S bounds sections 1 and 2 together, and section 7 on
 * its own unless ALERT_PAGE_DEADLINE_S says otherwise; 3 and 4 have deadlines of their own
 * (PROBE_DEADLINE_S, ESCALATION_DEADLINE_S). 8. /incident search on a million incidents (bench/search.ts).
 * Snapshot: reading an incident after 1,000 clicks next to a fresh one (bench/snapshot-age.ts).
 *
 * Then the sections that start the bot as a user does (`incident-bot start`, a child process),
 * each with its own deadline: clicks (bench/user-clicks.ts: closed loop in role all and web +
 * worker, five at once), acks (bench/user-acks.ts: a burst of declares against the durable and bare
 * floors), memory (bench/user-memory.ts: RSS idle and over three rounds).
 *
 *   ROUNDS=8 TOTAL=200 CONCURRENCY=20 WARMUP=40 CLICK_INCIDENTS=4 BENCH_DEADLINE_S=170 (sections 1 and 2)
 *   BENCH_ONLY=ack-click,probes,escalation,kpi,console,alert-page,search,snapshot,clicks,acks,memory (a comma-separated subset; all when unset)
 */
import os from 'node:os';
import path from 'node:path';
import { freshSchema, type TestSchema } from '../test/support/db';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../test/support/redis';
import { escalationLag } from './escalation-lag';
import { clockSkew, startChild, wallNow, type Child } from './ipc';
import { probePipeline } from './probe-pipeline';
import { reportMttr } from './report-mttr';
import { consolePage } from './console-page';
import { alertPage } from './alert-page';
import { searchBench } from './search';
import { userClicks } from './user-clicks';
import { snapshotAge } from './snapshot-age';
import { userAcks } from './user-acks';
import { userMemory } from './user-memory';
import type { ClickLoad, ClickResult, CommandLoad, LoadResult, LoopDelay, StepMessage } from './protocol';
import { ackTable, clickTable, clientLine, pool, ratio, type RoundRecord } from './report';
import { SlackTraffic } from './slack-traffic';

function setting(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive whole number`);
  return v;
}

const ROUNDS = setting('ROUNDS', 8);
const TOTAL = setting('TOTAL', 200);
const CONCURRENCY = setting('CONCURRENCY', 20);
const WARMUP = setting('WARMUP', 40);
const CLICK_INCIDENTS = setting('CLICK_INCIDENTS', 4);
const DEADLINE_S = setting('BENCH_DEADLINE_S', 170);
const CLICK_TIMEOUT_MS = 10_000;
const PROVISION_TIMEOUT_MS = 60_000;
const CLICKER = 'UCLICKER1';
const GOAL_CLICK_P99_MS = 250;
const GOAL_ACK_RATIO = 1.5;
const LABELS = { floor: 'floor: bare Bolt', bot: 'bot' };

interface Servers {
  fake: Child;
  floor: Child;
  bot: Child;
  client: Child;
  traffic: SlackTraffic;
  floorUrl: string;
  botUrl: string;
  respondBase: string;
}

const children: Child[] = [];
const ackRounds: RoundRecord[] = [];
const clickRounds: RoundRecord[] = [];

async function spawn<R>(name: string, script: string, env?: Record<string, string>): Promise<{ child: Child; ready: R }> {
  const started = await startChild<R>(name, path.resolve(__dirname, script), env);
  children.push(started.child);
  return started;
}

async function startAll(schema: TestSchema, prefix: string): Promise<Servers> {
  const { child: fake, ready: slack } = await spawn<{ url: string; apiUrl: string }>('fake Slack', '../test/support/bench-fake-slack-server.ts');
  const traffic = new SlackTraffic(fake);
  const [floor, bot, client] = await Promise.all([
    spawn<{ eventsUrl: string }>('floor', 'target-process.ts', { BENCH_TARGET: 'floor', BENCH_SLACK_API_URL: slack.apiUrl }),
    spawn<{ eventsUrl: string }>('bot', 'target-process.ts', {
      BENCH_TARGET: 'bot',
      BENCH_SLACK_API_URL: slack.apiUrl,
      BENCH_DATABASE_URL: schema.url,
      BENCH_REDIS_URL: TEST_REDIS_URL,
      BENCH_QUEUE_PREFIX: prefix,
    }),
    spawn<void>('load client', 'load-client.ts'),
  ]);
  return {
    fake,
    floor: floor.child,
    bot: bot.child,
    client: client.child,
    traffic,
    floorUrl: floor.ready.eventsUrl,
    botUrl: bot.ready.eventsUrl,
    respondBase: `${slack.url}/respond/`,
  };
}

/** One measured window: event-loop monitors run in the server and the load client only meanwhile. */
async function measured<T>(
  s: Servers,
  server: 'floor' | 'bot',
  kind: string,
  run: () => Promise<T>,
): Promise<{ result: T; loop: LoopDelay; clientLoop: LoopDelay }> {
  const clientKind = `${kind}-${server}`;
  await Promise.all([s[server].call('loopStart', kind), s.client.call('loopStart', clientKind)]);
  const result = await run();
  const [loop, clientLoop] = await Promise.all([s[server].call<LoopDelay>('loopStop', kind), s.client.call<LoopDelay>('loopStop', clientKind)]);
  return { result, loop, clientLoop };
}

async function ackPhase(s: Servers): Promise<void> {
  let index = 0;
  const burst = (url: string, total: number) =>
    s.client.call<LoadResult>(
      'commands',
      { url, text: 'pdf-404 bench', responseBase: s.respondBase, total, concurrency: CONCURRENCY, firstIndex: (index += total) - total } satisfies CommandLoad,
      120_000,
    );
  // The bot's burst leaves provisioning behind; the next round starts only once it is done.
  const provisioned = async (expected: number) => {
    await s.traffic.settle(() => s.traffic.declared >= expected, `${expected} incidents to be provisioned`, PROVISION_TIMEOUT_MS);
  };

  await burst(s.floorUrl, WARMUP);
  await burst(s.botUrl, WARMUP);
  let declared = WARMUP;
  await provisioned(declared);
  for (let round = 1; round <= ROUNDS; round++) {
    ackRounds.push({ server: 'floor', round, ...(await measured(s, 'floor', 'ack', () => burst(s.floorUrl, TOTAL))) });
    const bot = await measured(s, 'bot', 'ack', () => burst(s.botUrl, TOTAL));
    const ended = wallNow();
    await provisioned((declared += TOTAL));
    ackRounds.push({ server: 'bot', round, ...bot, drainMs: s.traffic.lastDeclaredAt - ended });
  }
}

async function clickPhase(s: Servers): Promise<void> {
  // The clicker declares, so the bot invites them and lets them tick steps.
  const before = s.traffic.declared;
  await s.client.call('commands', {
    url: s.botUrl,
    text: 'pdf-404 bench click',
    responseBase: s.respondBase,
    total: CLICK_INCIDENTS,
    concurrency: CLICK_INCIDENTS,
    user: CLICKER,
    firstIndex: 0,
  } satisfies CommandLoad);
  await s.traffic.settle(() => s.traffic.declared >= before + CLICK_INCIDENTS, 'the click incidents to be provisioned', PROVISION_TIMEOUT_MS);
  const botChannels = s.traffic.declaredChannels.slice(before);
  const floorChannel = await s.floor.call<string>('seed', CLICK_INCIDENTS);
  for (const [name, channels] of [
    ['bot', botChannels],
    ['floor', [floorChannel]],
  ] as const) {
    const messages = await s.fake.call<StepMessage[]>('stepMessages', channels);
    const steps = await s.client.call<number>('setTargets', { name, messages });
    if (steps < 2 * CONCURRENCY) throw new Error(`${name} has ${steps} step buttons; ${CONCURRENCY} in flight needs at least ${2 * CONCURRENCY}`);
  }

  s.traffic.relay = (a) => s.client.send('api', a);
  const clicks = (server: 'floor' | 'bot', total: number) =>
    s.client.call<ClickResult>(
      'clicks',
      {
        target: server,
        url: server === 'bot' ? s.botUrl : s.floorUrl,
        responseBase: s.respondBase,
        total,
        concurrency: CONCURRENCY,
        user: CLICKER,
        timeoutMs: CLICK_TIMEOUT_MS,
      } satisfies ClickLoad,
      120_000,
    );
  const settled = () => s.traffic.settle(() => true, 'Slack traffic to stop', 30_000);
  await clicks('floor', WARMUP);
  await clicks('bot', WARMUP);
  await settled();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const server of ['floor', 'bot'] as const) {
      clickRounds.push({ server, round, ...(await measured(s, server, 'click', () => clicks(server, TOTAL))) });
      // Header re-renders (acknowledged, mitigated) may trail the checklist update.
      await settled();
    }
  }
  s.traffic.relay = null;
}

async function report(s: Servers, skew: { skew: number; within: number }, loadAtStart: number): Promise<void> {
  const pooled = async (rounds: RoundRecord[], kind: string, server: 'floor' | 'bot') =>
    pool(
      rounds.filter((r) => r.server === server),
      await s[server].call<LoopDelay>('loopRead', kind),
      await s.client.call<LoopDelay>('loopRead', `${kind}-${server}`),
    );
  const ack = { floor: await pooled(ackRounds, 'ack', 'floor'), bot: await pooled(ackRounds, 'ack', 'bot') };
  const click = { floor: await pooled(clickRounds, 'click', 'floor'), bot: await pooled(clickRounds, 'click', 'bot') };
  const cpu = os.cpus();

  console.log(`\nBench ${new Date().toISOString()} · node ${process.version} · ${cpu.length}× ${cpu[0]?.model ?? 'cpu'} · loopback only`);
  // Anything else running on this machine shares its CPUs with the five bench processes.
  console.log(`1-minute load average: ${loadAtStart.toFixed(2)} before the bench, ${os.loadavg()[0]!.toFixed(2)} after it (${cpu.length} CPUs).`);
  console.log(
    `${ROUNDS} rounds per server, alternating floor/bot, ${TOTAL} requests each, ${CONCURRENCY} in flight; ${WARMUP} unmeasured warm-up requests per server and phase.`,
  );
  console.log(
    'Times in ms. Loop delay: event-loop delay p50/p99/max of that server process during its measured rounds (monitorEventLoopDelay,\n' +
      '1 ms sampling, the 1 ms interval subtracted; "all rounds" pools the rounds at 0.1-percentile resolution).',
  );

  console.log('\n1. Ack latency of signed /incident (send → HTTP response). floor: acks only; bot: /incident pdf-404 bench N (declares)');
  console.log(ackTable(ackRounds, ack.floor, ack.bot, LABELS));
  console.log(clientLine(ack.floor, ack.bot));

  console.log(`\n2. Click → chat.update (send → fake Slack receives the chat.update for that message whose blocks show the step in its new state)`);
  console.log(`   ${CLICK_INCIDENTS} checklists × 10 steps per server; each click toggles Done/Reopen on a step no other click in flight touches.`);
  console.log(`   ${CONCURRENCY} lanes, closed loop: a click stays in flight until its chat.update arrives, then its lane sends the next.`);
  console.log('   floor: bare Bolt that acks and calls chat.update at once; bot: the full path (Postgres, outbox, BullMQ, render).');
  console.log(clickTable(clickRounds, click.floor, click.bot, LABELS));
  console.log(clientLine(click.floor, click.bot));
  console.log(
    `   Clock check: the load client and fake Slack processes read the same wall clock to ${Math.abs(skew.skew).toFixed(2)} ms (±${skew.within.toFixed(2)} ms).`,
  );

  const ackP99 = ack.bot.ack.p99 / ack.floor.ack.p99;
  const clickP99 = click.bot.update!.p99;
  console.log('\nRatios bot/floor');
  console.log(`  ack             p50 ${ratio(ack.bot.ack.p50, ack.floor.ack.p50)}   p99 ${ratio(ack.bot.ack.p99, ack.floor.ack.p99)}`);
  console.log(`  click → update  p50 ${ratio(click.bot.update!.p50, click.floor.update!.p50)}   p99 ${ratio(click.bot.update!.p99, click.floor.update!.p99)}`);

  console.log('\nGoals');
  console.log(`  click → chat.update p99 < ${GOAL_CLICK_P99_MS} ms: ${clickP99.toFixed(1)} ms → ${clickP99 < GOAL_CLICK_P99_MS ? 'MET' : 'NOT MET'}`);
  console.log(
    `  ack p99 within ${GOAL_ACK_RATIO}x floor: ${ackP99.toFixed(2)}x (${ack.bot.ack.p99.toFixed(1)} vs ${ack.floor.ack.p99.toFixed(1)} ms) → ` +
      (ackP99 <= GOAL_ACK_RATIO ? 'MET' : 'NOT MET'),
  );

  const problems = [
    ...[...s.traffic.refusals].map(([what, n]) => `fake Slack refused ${what} ×${n}`),
    ...[ack.floor, ack.bot, click.floor, click.bot].flatMap((p) =>
      Object.keys(p.statuses)
        .filter((k) => k !== '200')
        .map((k) => `HTTP ${k} ×${p.statuses[k]}`),
    ),
    ...(click.floor.timeouts + click.bot.timeouts > 0
      ? [`${click.floor.timeouts + click.bot.timeouts} clicks never showed up within ${CLICK_TIMEOUT_MS} ms`]
      : []),
  ];
  console.log(problems.length ? `\nProblems seen:\n  ${problems.join('\n  ')}` : '\nNo refused Slack calls, no non-200 responses, no lost clicks.');
}

function printPartial(): void {
  const lines = [...ackRounds, ...clickRounds].map((r) => {
    const c = r.result as Partial<ClickResult>;
    const matched = c.updateMs ? `, ${c.updateMs.length} updates matched` : '';
    return `  ${c.updateMs ? 'click' : 'ack'} ${r.server} round ${r.round}: ${r.result.ms.length} requests${matched}`;
  });
  if (lines.length) console.error(`Rounds finished before stopping:\n${lines.join('\n')}`);
}

/** Sections 1 and 2: their own processes, schema and prefix, bounded by BENCH_DEADLINE_S. True if they ran. */
async function ackAndClicks(): Promise<boolean> {
  const started = wallNow();
  const loadAtStart = os.loadavg()[0]!;
  const schema = await freshSchema();
  const prefix = uniquePrefix();
  let ok = true;
  // Bounded no matter what hangs: past the deadline the children are killed and cleanup runs.
  const deadline = setTimeout(() => {
    console.error(`\nBench stopped: it ran past BENCH_DEADLINE_S=${DEADLINE_S} s.`);
    printPartial();
    children.forEach((c) => c.kill());
    void cleanup().finally(() => process.exit(1));
  }, DEADLINE_S * 1000);
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await Promise.all(children.map((c) => c.stop()));
      await schema.drop().catch((err: Error) => console.error(`could not drop schema ${schema.name}: ${err.message}`));
      await dropPrefix(prefix).catch((err: Error) => console.error(`could not delete Redis keys ${prefix}:*: ${err.message}`));
    })());
  try {
    const servers = await startAll(schema, prefix);
    const skew = await clockSkew(servers.client, servers.fake);
    await ackPhase(servers);
    await clickPhase(servers);
    await report(servers, skew, loadAtStart);
    console.log(`\nTook ${((wallNow() - started) / 1000).toFixed(0)} s.`);
  } catch (err) {
    ok = false;
    console.error(`\nBench failed: ${(err as Error).stack ?? String(err)}`);
    printPartial();
  } finally {
    await cleanup();
    clearTimeout(deadline);
  }
  return ok;
}

/**
 * The sections in the order they run, each after the one before has stopped its processes and
 * dropped its schema and Redis keys; BENCH_ONLY=name[,name…] runs only those.
 */
const SECTIONS: Record<string, () => Promise<boolean>> = {
  // 1 and 2: ack latency and click → chat.update, against a bare Bolt floor.
  'ack-click': ackAndClicks,
  // 3. The probe pipeline.
  probes: () => printed(probePipeline()),
  // 4. Escalation lag with 10,000 timers pending.
  escalation: () => printed(escalationLag()),
  // 5. The KPI report on a million incidents: its own schema, no processes of its own.
  kpi: () => printed(reportMttr()),
  // 6. The console's incident page with a long timeline: in this process.
  console: () => printed(consolePage()),
  // 7. Alert → page: a firing alert's POST to the level-1 direct message.
  'alert-page': () => printed(alertPage()),
  // 8. /incident search on a million incidents: its own schema, no processes of its own.
  search: () => printed(searchBench()),
  // Reading an incident with a long history next to a fresh one: its own schema, in this process.
  snapshot: () => printed(snapshotAge()),
  // Click → updated checklist with `incident-bot start` as a user runs it (role all, then web + worker).
  clicks: () => printed(userClicks()),
  // Ack latency under a burst of declares, `incident-bot start` against a durable and a bare floor.
  acks: () => printed(userAcks()),
  // RSS of `incident-bot start` idle and after three rounds of declares, clicks and quiet.
  memory: () => printed(userMemory()),
};

/** Prints a section's text; one that throws instead is said to have failed, and the next still runs. */
async function printed(section: Promise<{ ok: boolean; text: string }>): Promise<boolean> {
  try {
    const { ok, text } = await section;
    console.log(text);
    return ok;
  } catch (err) {
    console.log(`\nA bench section failed: ${(err as Error).stack ?? String(err)}`);
    return false;
  }
}

function chosen(): string[] {
  const names = Object.keys(SECTIONS);
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = only.filter((n) => !names.includes(n));
  if (unknown.length) throw new Error(`BENCH_ONLY: no section called ${unknown.join(', ')}; the sections are ${names.join(', ')}`);
  return only.length ? names.filter((n) => only.includes(n)) : names;
}

async function main(): Promise<number> {
  let failed = false;
  for (const name of chosen()) if (!(await SECTIONS[name]!())) failed = true;
  // A report, not a gate: missing a goal still exits 0; only a bench that could not run fails.
  return failed ? 1 : 0;
}

void main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(2);
  },
);
