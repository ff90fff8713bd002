/**
 * The `clicks` section of `npm run bench`: click → the updated checklist in Slack, with the bot
 * started as a user starts it (`incident-bot start`, a child process, the default role `all`),
 * then split into `--role web` and `--role worker` processes on the same database.
 *
 *  - closed loop: CLICK_LANES lanes (20), each click on a checklist no other click in flight
 *    touches (CLICK_INCIDENTS incidents, 40, one lane per incident at a time); a click stays in
 *    flight until the fake Slack receives the chat.update showing it, then its lane sends the next.
 *  - five at once: five people click five different steps of one checklist in the same moment,
 *    BURSTS times (each on a fresh checklist); each click is timed to the chat.update showing it,
 *    and the checklist Slack holds at the end must show all five.
 *  - after quiet: QUIET_CLICKS (8) single clicks, each after QUIET_S (12) seconds with no click, as
 *    an on-call engineer's clicks come (seconds or minutes apart); the floor's and the bot's in turn.
 *  - floor: a bare Bolt app in its own process that acks and calls chat.update at once.
 *
 * Each side first takes CLICK_WARMUP clicks after its start, shown apart and not pooled: a
 * process that has just started (JIT, connection pools, statements prepared per connection) is
 * slower for its first few hundred clicks, and a deployment serves nearly all of its clicks after
 * them. Rounds alternate floor/bot. Goals: p99 < 250 ms in the closed loop (both layouts) and
 * after quiet, p99 < 1 s for the five at once, every click shown.
 *
 *   CLICK_ROUNDS=5 CLICK_TOTAL=200 CLICK_WARMUP=200 CLICK_LANES=20 CLICK_INCIDENTS=40 BURSTS=10 QUIET_CLICKS=8 QUIET_S=12 CLICKS_DEADLINE_S=400
 *   Alone: BENCH_ONLY=clicks npx tsx bench/run.ts
 */
import os from 'node:os';
import { clickLoop, declareIncidents, f1, f2, setting, startBotProcess, startFloorProcess, startRig, stepMessages, type Rig } from './deployment';
import type { BurstLoad, BurstResult, ClickResult } from './protocol';
import { summarize } from './stats';
import { userSection, type SectionScope } from './user-section';

const GOAL_LOOP_P99_MS = 250;
const GOAL_BURST_P99_MS = 1_000;
const CLICKER = 'UCLICKER1';
const BURST_USERS = ['UBURST1', 'UBURST2', 'UBURST3', 'UBURST4', 'UBURST5'];

interface LoopRound {
  layout: 'floor' | 'all' | 'split';
  round: number;
  result: ClickResult;
}

export function userClicks(): Promise<{ ok: boolean; text: string }> {
  return section().catch((err: Error) => ({ ok: false, text: `\nClicks section failed: ${err.stack ?? String(err)}` }));
}

async function section(): Promise<{ ok: boolean; text: string }> {
  const ROUNDS = setting('CLICK_ROUNDS', 5);
  const TOTAL = setting('CLICK_TOTAL', 200);
  const LANES = setting('CLICK_LANES', 20);
  const INCIDENTS = setting('CLICK_INCIDENTS', 40);
  const BURSTS = setting('BURSTS', 10);
  const QUIET_CLICKS = setting('QUIET_CLICKS', 8);
  const QUIET_S = setting('QUIET_S', 12);
  const DEADLINE_S = setting('CLICKS_DEADLINE_S', 400);
  const WARMUP = setting('CLICK_WARMUP', 200);
  const started = performance.now();
  const loadBefore = os.loadavg()[0]!;
  const rounds: LoopRound[] = [];
  // The first clicks after each start, before the measured rounds: shown, not pooled.
  const warmups = new Map<LoopRound['layout'], ClickResult>();
  const bursts: BurstResult[] = [];
  const quiet: Record<'floor' | 'bot', number[]> = { floor: [], bot: [] };
  const problems: string[] = [];
  let missingAtEnd = 0;
  return userSection('Clicks', 'CLICKS_DEADLINE_S', DEADLINE_S, run, () => (rounds.length ? report() : ''));

  async function run({ bounded, prefix, schema, own }: SectionScope): Promise<string> {
    const rig: Rig = await startRig(bounded, 'clicks');
    const floor = await startFloorProcess(bounded, rig, 'floor');
    let bot = own(await startBotProcess(rig, schema.url, prefix, 'all'));

    const channels = await declareIncidents(rig, bot.eventsUrl, INCIDENTS + BURSTS, CLICKER);
    const loopMessages = await stepMessages(rig, channels.slice(0, INCIDENTS));
    if (loopMessages.length < LANES) throw new Error(`${loopMessages.length} checklists for ${LANES} lanes`);
    await rig.client.call('setTargets', { name: 'bot', messages: loopMessages });
    await rig.client.call('setTargets', { name: 'burst', messages: await stepMessages(rig, channels.slice(INCIDENTS)) });
    const floorChannel = await floor.child.call<string>('seed', INCIDENTS);
    await rig.client.call('setTargets', { name: 'floor', messages: await stepMessages(rig, [floorChannel]) });
    for (const ch of channels.slice(INCIDENTS)) await rig.fake.call('join', { channel: ch, users: BURST_USERS });

    rig.traffic.relay = (a) => rig.client.send('api', a);
    const settled = () => rig.traffic.settle(() => true, 'Slack traffic to stop', 30_000);
    const loop = async (layout: LoopRound['layout'], round: number, total: number) => {
      const url = layout === 'floor' ? floor.eventsUrl : bot.eventsUrl;
      const result = await clickLoop(rig, layout === 'floor' ? 'floor' : 'bot', url, CLICKER, total, LANES);
      if (round > 0) rounds.push({ layout, round, result });
      else if (layout !== 'floor') warmups.set(layout, result);
      await settled();
    };

    // Role all, the default: warm-up, then alternating rounds, then the five-at-once bursts.
    await loop('floor', 0, WARMUP);
    await loop('all', 0, WARMUP);
    for (let r = 1; r <= ROUNDS; r++) {
      await loop('floor', r, TOTAL);
      await loop('all', r, TOTAL);
    }
    const burstMessages = await stepMessages(rig, channels.slice(INCIDENTS));
    for (const m of burstMessages.slice(0, BURSTS)) {
      const result = await rig.client.call<BurstResult>(
        'burst',
        { target: 'burst', url: bot.eventsUrl, responseBase: rig.respondBase, ts: m.ts, users: BURST_USERS, timeoutMs: 10_000 } satisfies BurstLoad,
        60_000,
      );
      bursts.push(result);
      await settled();
      // What Slack shows once everything settled: all five steps done.
      const [now] = (await stepMessages(rig, [m.channel])).filter((x) => x.ts === m.ts);
      const shown = new Set(now?.steps.filter((s) => s.done).map((s) => s.actionId));
      missingAtEnd += result.asked.filter((a) => !shown.has(a.actionId)).length;
    }

    // After quiet: what a click costs when it is the first in a while, as nearly every on-call click is.
    for (let i = 0; i < QUIET_CLICKS; i++) {
      for (const [side, url] of [
        ['floor', floor.eventsUrl],
        ['bot', bot.eventsUrl],
      ] as const) {
        await new Promise((r) => setTimeout(r, (QUIET_S * 1000) / 2));
        const result = await clickLoop(rig, side, url, CLICKER, 1, 1);
        if (result.timeouts) problems.push(`${side} after quiet: the click never showed up within 10 s`);
        quiet[side].push(...result.updateMs);
      }
    }

    // Split: a web process (serves Slack) and a worker process (runs the jobs), same database.
    await bot.stop();
    bot = own(await startBotProcess(rig, schema.url, prefix, 'web'));
    own(await startBotProcess(rig, schema.url, prefix, 'worker'));
    await loop('split', 0, WARMUP);
    for (let r = 1; r <= ROUNDS; r++) {
      await loop('floor', ROUNDS + r, TOTAL);
      await loop('split', r, TOTAL);
    }
    rig.traffic.relay = null;
    for (const [what, n] of rig.traffic.refusals) problems.push(`fake Slack refused ${what} ×${n}`);
    for (const r of rounds) {
      const bad = Object.entries(r.result.statuses).filter(([k]) => k !== '200');
      if (bad.length) problems.push(`${r.layout} round ${r.round}: HTTP ${bad.map(([k, v]) => `${k}×${v}`).join(' ')}`);
      if (r.result.timeouts) problems.push(`${r.layout} round ${r.round}: ${r.result.timeouts} clicks never showed up within 10 s`);
    }
    return report();
  }

  function report(): string {
    const of = (layout: LoopRound['layout']) => rounds.filter((r) => r.layout === layout);
    const pooled = (rs: LoopRound[]) => summarize(rs.flatMap((r) => r.result.updateMs));
    const perRound = (rs: LoopRound[]) => rs.map((r) => summarize(r.result.updateMs).p99);
    const floorAll = of('floor').filter((r) => r.round <= ROUNDS);
    const floorSplit = of('floor').filter((r) => r.round > ROUNDS);
    const lines = [
      `\nClicks: click → the chat.update showing it, with \`incident-bot start\` as a child process (load ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after; ${os.cpus().length} CPUs)`,
      `   closed loop: ${LANES} lanes over ${INCIDENTS} checklists, one click in flight per checklist; ${ROUNDS} rounds × ${TOTAL} clicks per layout, alternating with the floor.`,
      '   floor: bare Bolt that acks and calls chat.update at once. Times in ms; spread: the lowest and highest per-round p99.',
      `   Each side first takes ${WARMUP} clicks after its start (JIT, connection pools, prepared statements), not pooled; their p99 is the last column.`,
      '',
      '   layout                      clicks    p50     p99     max   per-round p99 spread   floor p99   ratio p99   goal p99 < 250 ms   first clicks p99',
    ];
    for (const [name, rs, fl, layout] of [
      ['role all (one process)', of('all'), floorAll, 'all'],
      ['web + worker (two)', of('split'), floorSplit, 'split'],
    ] as const) {
      if (rs.length === 0) continue;
      const s = pooled(rs);
      const fs = pooled(fl);
      const spread = perRound(rs);
      lines.push(
        `   ${name.padEnd(26)} ${String(s.n).padStart(7)} ${f1(s.p50).padStart(6)} ${f1(s.p99).padStart(7)} ${f1(s.max).padStart(7)}   ` +
          `${`${f1(Math.min(...spread))}–${f1(Math.max(...spread))}`.padStart(20)}   ${f1(fs.p99).padStart(9)}   ${`${f2(s.p99 / fs.p99)}x`.padStart(9)}   ${(s.p99 < GOAL_LOOP_P99_MS ? 'yes' : 'no').padEnd(17)}   ${f1(summarize(warmups.get(layout)?.updateMs ?? []).p99).padStart(16)}`,
      );
    }
    // In order, so a warm-up still going on after the unpooled clicks shows as a falling line.
    for (const [name, rs] of [
      ['role all', of('all')],
      ['web + worker', of('split')],
      ['floor', of('floor')],
    ] as const) {
      if (rs.length > 0) lines.push(`   per-round p99 in order, ${name}: ${perRound(rs).map(f1).join(', ')}`);
    }
    if (bursts.length) {
      const b = summarize(bursts.flatMap((x) => x.updateMs));
      const clicks = bursts.length * BURST_USERS.length;
      const spread = bursts.map((x) => Math.max(...x.updateMs));
      lines.push(
        '',
        `   five at once: ${BURST_USERS.length} people click ${BURST_USERS.length} different steps of one checklist in the same moment, ${bursts.length} checklists (role all).`,
        `   ${clicks} clicks, ${b.n} shown: p50 ${f1(b.p50)}  p99 ${f1(b.p99)}  max ${f1(b.max)}; slowest per burst ${f1(Math.min(...spread))}–${f1(Math.max(...spread))};` +
          ` ${missingAtEnd} clicks missing from the final checklists.`,
        `   Goal p99 < ${GOAL_BURST_P99_MS} ms and all shown: ${b.p99 < GOAL_BURST_P99_MS && b.n === clicks && missingAtEnd === 0 ? 'yes' : 'no'}`,
      );
    }
    if (quiet.bot.length) {
      const b = summarize(quiet.bot);
      const fl = summarize(quiet.floor);
      lines.push(
        '',
        `   after quiet: ${QUIET_CLICKS} single clicks, ${b.n} shown, each after ${QUIET_S} s with no click to that process (role all), floor and bot in turn.`,
        `   p50 ${f1(b.p50)}  p99 ${f1(b.p99)}  max ${f1(b.max)}; floor p50 ${f1(fl.p50)}  p99 ${f1(fl.p99)}; ratio p99 ${f2(b.p99 / fl.p99)}x.` +
          ` Goal p99 < ${GOAL_LOOP_P99_MS} ms and all shown: ${b.p99 < GOAL_LOOP_P99_MS && b.n === QUIET_CLICKS ? 'yes' : 'no'}`,
      );
    }
    lines.push(problems.length ? `   Problems seen:\n     ${problems.join('\n     ')}` : '   No refused Slack calls, no non-200 responses, no lost clicks.');
    lines.push(`   Section took ${((performance.now() - started) / 1000).toFixed(0)} s.`);
    return lines.join('\n');
  }
}

if (require.main === module) {
  void userClicks().then(({ ok, text }) => {
    console.log(text);
    process.exit(ok ? 0 : 1);
  });
}
