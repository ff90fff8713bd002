/**
 * The `acks` section of `npm run bench`: how fast Slack gets its answer while a burst of
 * ACK_TOTAL (200) `/incident pdf-404 …` declares arrives, ACK_LANES (20) in flight, with the bot
 * started as a user starts it (`incident-bot start`, role all, a child process), next to two floors:
 *
 *  - durable floor: a bare Bolt app that commits one row to Postgres before it acks, the least an
 *    app that must not lose a declare can do;
 *  - bare floor: a bare Bolt app that only acks.
 *
 * ACK_ROUNDS (5) rounds; the order of the three rotates each round, and the next burst starts once
 * the bot has finished every job its burst queued that is due within the minute. Each round gives a p99 ratio bot/floor; the
 * goal is the median of those ratios against the durable floor ≤ 1.5, with their spread printed.
 *
 *   ACK_ROUNDS=5 ACK_TOTAL=200 ACK_LANES=20 ACK_WARMUP=40 ACKS_DEADLINE_S=400
 *   Alone: BENCH_ONLY=acks npx tsx bench/run.ts
 */
import os from 'node:os';
import { declares, f1, f2, median, setting, startBotProcess, startFloorProcess, startRig } from './deployment';
import type { LoadResult } from './protocol';
import { unfinishedOutbox } from './settle';
import { summarize, type Summary } from './stats';
import { userSection, type SectionScope } from './user-section';

const GOAL_RATIO = 1.5;
type Side = 'bare' | 'durable' | 'bot';
const ORDER: Side[] = ['bare', 'durable', 'bot'];

interface AckRound {
  round: number;
  p99: Record<Side, number>;
  p50: Record<Side, number>;
  statuses: Record<string, number>;
  provisionedMs: number;
}

export function userAcks(): Promise<{ ok: boolean; text: string }> {
  return section().catch((err: Error) => ({ ok: false, text: `\nAcks section failed: ${err.stack ?? String(err)}` }));
}

async function section(): Promise<{ ok: boolean; text: string }> {
  const ROUNDS = setting('ACK_ROUNDS', 5);
  const TOTAL = setting('ACK_TOTAL', 200);
  const LANES = setting('ACK_LANES', 20);
  const WARMUP = setting('ACK_WARMUP', 40);
  const DEADLINE_S = setting('ACKS_DEADLINE_S', 400);
  const started = performance.now();
  const loadBefore = os.loadavg()[0]!;
  const rounds: AckRound[] = [];
  const pooled: Record<Side, number[]> = { bare: [], durable: [], bot: [] };
  return userSection('Acks', 'ACKS_DEADLINE_S', DEADLINE_S, run, () => (rounds.length ? report(new Map()) : ''));

  async function run({ bounded, prefix, schema, own }: SectionScope): Promise<string> {
    const rig = await startRig(bounded, 'acks');
    const [bare, durable] = await Promise.all([startFloorProcess(bounded, rig, 'floor'), startFloorProcess(bounded, rig, 'durable', schema.url)]);
    const bot = own(await startBotProcess(rig, schema.url, prefix, 'all'));
    const urls: Record<Side, string> = { bare: bare.eventsUrl, durable: durable.eventsUrl, bot: bot.eventsUrl };
    let declared = 0;
    const burst = async (side: Side, total: number): Promise<LoadResult> => {
      const result = await declares(rig, urls[side], 'pdf-404 bench', total, LANES);
      if (side === 'bot') {
        declared += total;
        await rig.traffic.settle(() => rig.traffic.declared >= declared, `${declared} incidents to be provisioned`, 120_000);
      }
      return result;
    };
    // Provisioned is not finished: probes, the similar-incidents notice and the first page follow.
    // A floor measured while they run would share the machine with the bot's leftovers.
    const finished = async () => {
      const left = await unfinishedOutbox(schema.pool, { timeoutMs: 120_000, pollMs: 100, alive: () => bounded.alive() });
      if (left > 0) throw new Error(`${left} outbox rows still unfinished 120 s after a burst`);
    };

    for (const side of ORDER) await burst(side, WARMUP);
    await finished();
    for (let r = 1; r <= ROUNDS; r++) {
      const order = ORDER.map((_, k) => ORDER[(k + r) % ORDER.length]!);
      const round: AckRound = { round: r, p99: {} as Record<Side, number>, p50: {} as Record<Side, number>, statuses: {}, provisionedMs: 0 };
      for (const side of order) {
        const t0 = performance.now();
        const result = await burst(side, TOTAL);
        const s = summarize(result.ms);
        round.p99[side] = s.p99;
        round.p50[side] = s.p50;
        pooled[side].push(...result.ms);
        if (side === 'bot') {
          round.provisionedMs = performance.now() - t0;
          for (const [k, v] of Object.entries(result.statuses)) round.statuses[k] = (round.statuses[k] ?? 0) + v;
          await finished();
        }
      }
      rounds.push(round);
    }
    return report(rig.traffic.refusals);
  }

  function report(refusals: Map<string, number>): string {
    const lines = [
      `\nAcks: signed /incident pdf-404 … (send → HTTP response) during a burst of ${TOTAL} declares, ${LANES} in flight, \`incident-bot start\` (role all)`,
      `   (load ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after; ${os.cpus().length} CPUs). ${ROUNDS} rounds, the order of the three rotating;`,
      '   durable floor: bare Bolt + one committed INSERT before the ack; bare floor: bare Bolt that only acks. Times in ms.',
      '',
      '   round   bare p50/p99     durable p50/p99     bot p50/p99     bot/durable p99   bot/bare p99   bot: all provisioned after',
    ];
    for (const r of rounds) {
      lines.push(
        `   ${String(r.round).padEnd(5)}   ${`${f1(r.p50.bare)}/${f1(r.p99.bare)}`.padStart(12)}   ${`${f1(r.p50.durable)}/${f1(r.p99.durable)}`.padStart(15)}` +
          `   ${`${f1(r.p50.bot)}/${f1(r.p99.bot)}`.padStart(13)}   ${`${f2(r.p99.bot / r.p99.durable)}x`.padStart(15)}   ${`${f2(r.p99.bot / r.p99.bare)}x`.padStart(12)}` +
          `   ${(r.provisionedMs / 1000).toFixed(1)} s`,
      );
    }
    const all: Record<Side, Summary> = { bare: summarize(pooled.bare), durable: summarize(pooled.durable), bot: summarize(pooled.bot) };
    lines.push(
      `   pooled  ${`${f1(all.bare.p50)}/${f1(all.bare.p99)}`.padStart(12)}   ${`${f1(all.durable.p50)}/${f1(all.durable.p99)}`.padStart(15)}   ${`${f1(all.bot.p50)}/${f1(all.bot.p99)}`.padStart(13)}`,
    );
    if (rounds.length) {
      const vsDurable = rounds.map((r) => r.p99.bot / r.p99.durable);
      const vsBare = rounds.map((r) => r.p99.bot / r.p99.bare);
      const m = median(vsDurable);
      lines.push(
        '',
        `   figure (median of per-round p99 ratios)   floor      ratio   spread (min–max)   goal ≤ ${GOAL_RATIO}x held`,
        `   bot p99 ${f1(median(rounds.map((r) => r.p99.bot))).padStart(6)} ms                   durable ${f1(median(rounds.map((r) => r.p99.durable))).padStart(6)} ms   ${f2(m)}x   ${f2(Math.min(...vsDurable))}–${f2(Math.max(...vsDurable))}x       ${rounds.length >= 5 && m <= GOAL_RATIO ? 'yes' : 'no'}`,
        `   bot p99 ${f1(median(rounds.map((r) => r.p99.bot))).padStart(6)} ms                   bare    ${f1(median(rounds.map((r) => r.p99.bare))).padStart(6)} ms   ${f2(median(vsBare))}x   ${f2(Math.min(...vsBare))}–${f2(Math.max(...vsBare))}x       (no goal)`,
      );
      const bad = rounds.flatMap((r) => Object.entries(r.statuses).filter(([k]) => k !== '200'));
      const problems = [...bad.map(([k, v]) => `HTTP ${k}×${v}`), ...[...refusals].map(([w, n]) => `fake Slack refused ${w} ×${n}`)];
      lines.push(problems.length ? `   Problems seen: ${problems.join('; ')}` : '   No non-200 responses, no refused Slack calls; every declare provisioned.');
    }
    lines.push(`   Section took ${((performance.now() - started) / 1000).toFixed(0)} s.`);
    return lines.join('\n');
  }
}

if (require.main === module) {
  void userAcks().then(({ ok, text }) => {
    console.log(text);
    process.exit(ok ? 0 : 1);
  });
}
