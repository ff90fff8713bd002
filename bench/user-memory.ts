/**
 * The `memory` section of `npm run bench`: the resident set size (RSS, from /proc) of
 * `node dist/app/cli.js start` (built first with `npm run build`; role all, a child process, as the
 * README starts it; MEMORY_RUNTIME=tsx runs the sources through tsx instead) idle after start, then after
 * each of MEMORY_ROUNDS (3) rounds of MEMORY_DECLARES (2,000) declares, MEMORY_CLICKS (5,000)
 * clicks (closed loop, 20 lanes over 40 checklists) and MEMORY_QUIET_S (60) seconds of quiet.
 * Goals: idle < 150 MiB; no growth: the last round's RSS within 10% of the first's.
 *
 *   MEMORY_ROUNDS=3 MEMORY_DECLARES=2000 MEMORY_CLICKS=5000 MEMORY_QUIET_S=60 MEMORY_DEADLINE_S=1800
 *   Alone: BENCH_ONLY=memory npx tsx bench/run.ts (a quick look: MEMORY_DECLARES=300 MEMORY_CLICKS=1000 MEMORY_QUIET_S=10)
 */
import os from 'node:os';
import { clickLoop, declareIncidents, declares, f1, rssMiB, setting, startBotProcess, startRig, stepMessages } from './deployment';
import { userSection, type SectionScope } from './user-section';

const GOAL_IDLE_MIB = 150;
const GOAL_GROWTH = 1.1;
const CLICKER = 'UMEMCLICK1';
const CHECKLISTS = 40;
const LANES = 20;
const IDLE_S = 10;

interface MemoryRound {
  round: number;
  rss: number;
  declareS: number;
  clickS: number;
  /** Clicks answered other than 200, and clicks never shown within 10 s. */
  refused: number;
  lost: number;
}

export function userMemory(): Promise<{ ok: boolean; text: string }> {
  return section().catch((err: Error) => ({ ok: false, text: `\nMemory section failed: ${err.stack ?? String(err)}` }));
}

async function section(): Promise<{ ok: boolean; text: string }> {
  const ROUNDS = setting('MEMORY_ROUNDS', 3);
  const DECLARES = setting('MEMORY_DECLARES', 2_000);
  const CLICKS = setting('MEMORY_CLICKS', 5_000);
  const QUIET_S = setting('MEMORY_QUIET_S', 60);
  const DEADLINE_S = setting('MEMORY_DEADLINE_S', 1_800);
  const started = performance.now();
  const loadBefore = os.loadavg()[0]!;
  const built = process.env.MEMORY_RUNTIME !== 'tsx';
  const rounds: MemoryRound[] = [];
  let idle = NaN;
  const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
  return userSection('Memory', 'MEMORY_DEADLINE_S', DEADLINE_S, run, report);

  async function run({ bounded, prefix, schema, own }: SectionScope): Promise<string> {
    const rig = await startRig(bounded, 'memory');
    const bot = own(await startBotProcess(rig, schema.url, prefix, 'all', {}, built));
    await sleep(IDLE_S);
    idle = await rssMiB(bot.pid);

    // The checklists the clicks go to, declared by the one who clicks them.
    const channels = await declareIncidents(rig, bot.eventsUrl, CHECKLISTS, CLICKER);
    await rig.client.call('setTargets', { name: 'memory', messages: await stepMessages(rig, channels) });
    rig.traffic.relay = (a) => rig.client.send('api', a);
    for (let r = 1; r <= ROUNDS; r++) {
      const t0 = performance.now();
      const before = rig.traffic.declared;
      await declares(rig, bot.eventsUrl, 'pdf-404 memory', DECLARES, LANES);
      await rig.traffic.settle(() => rig.traffic.declared >= before + DECLARES, `${DECLARES} declares to be provisioned`, 60_000 + DECLARES * 250);
      const t1 = performance.now();
      const clicked = await clickLoop(rig, 'memory', bot.eventsUrl, CLICKER, CLICKS, LANES);
      const t2 = performance.now();
      await sleep(QUIET_S);
      const refused = Object.entries(clicked.statuses).reduce((n, [k, v]) => (k === '200' ? n : n + v), 0);
      rounds.push({ round: r, rss: await rssMiB(bot.pid), declareS: (t1 - t0) / 1000, clickS: (t2 - t1) / 1000, refused, lost: clicked.timeouts });
    }
    rig.traffic.relay = null;
    return report();
  }

  function report(): string {
    const lines = [
      `\nMemory: RSS of ${built ? '`node dist/app/cli.js start` (after npm run build' : '`incident-bot start` (through tsx'}, role all) idle, then after each round of ${DECLARES} declares,`,
      `   ${CLICKS} clicks and ${QUIET_S} s of quiet (load ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after; ${os.cpus().length} CPUs).`,
      '',
      '   figure                         MiB   goal                         held',
      `   idle, ${IDLE_S} s after start        ${f1(idle).padStart(7)}   < ${GOAL_IDLE_MIB} MiB                   ${idle < GOAL_IDLE_MIB ? 'yes' : 'no'}`,
    ];
    for (const r of rounds)
      lines.push(
        `   after round ${r.round}                ${f1(r.rss).padStart(7)}   (declares took ${r.declareS.toFixed(0)} s, clicks ${r.clickS.toFixed(0)} s)`,
      );
    if (rounds.length >= 2) {
      const growth = rounds[rounds.length - 1]!.rss / rounds[0]!.rss;
      lines.push(
        `   last/first round               ${growth.toFixed(2)}x   ≤ ${GOAL_GROWTH}x (no growth)           ${growth <= GOAL_GROWTH && rounds.length >= 3 ? 'yes' : 'no'}`,
      );
    }
    lines.push(`   Section took ${((performance.now() - started) / 1000).toFixed(0)} s.`);
    return lines.join('\n');
  }
}

if (require.main === module) {
  void userMemory().then(({ ok, text }) => {
    console.log(text);
    process.exit(ok ? 0 : 1);
  });
}
