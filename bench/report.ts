import type { ClickResult, LoadResult, LoopDelay } from './protocol';
import { addCounts, summarize, type Summary } from './stats';

export interface RoundRecord {
  server: 'floor' | 'bot';
  round: number;
  result: LoadResult | ClickResult;
  /** Event-loop delay of the server during this round, and of the load client. */
  loop: LoopDelay;
  clientLoop: LoopDelay;
  /** Bot declare rounds: last "declared" reply minus the end of the burst. */
  drainMs?: number;
}

export interface Pooled {
  ack: Summary;
  update: Summary | null;
  statuses: Record<string, number>;
  timeouts: number;
  loop: LoopDelay;
  clientLoop: LoopDelay;
}

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function statuses(s: Record<string, number>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
}

export function pool(rounds: RoundRecord[], loop: LoopDelay, clientLoop: LoopDelay): Pooled {
  const clicks = rounds.map((r) => r.result).filter((r): r is ClickResult => 'updateMs' in r);
  return {
    ack: summarize(rounds.flatMap((r) => r.result.ms)),
    update: clicks.length ? summarize(clicks.flatMap((r) => r.updateMs)) : null,
    statuses: rounds.reduce((acc, r) => addCounts(acc, r.result.statuses), {} as Record<string, number>),
    timeouts: clicks.reduce((n, r) => n + r.timeouts, 0),
    loop,
    clientLoop,
  };
}

export function ackTable(rounds: RoundRecord[], floor: Pooled, bot: Pooled, labels: { floor: string; bot: string }): string {
  const rows = [['', 'round', 'n', 'p50', 'p99', 'max', 'req/s', 'HTTP statuses', 'loop delay p50/p99/max', 'note']];
  for (const r of rounds) {
    const s = summarize(r.result.ms);
    const note = r.drainMs === undefined ? '' : `all provisioned ${(r.drainMs / 1000).toFixed(1)} s after the burst`;
    const rate = (s.n / (r.result.wallMs / 1000)).toFixed(0);
    rows.push([labels[r.server], String(r.round), String(s.n), f(s.p50), f(s.p99), f(s.max), rate, statuses(r.result.statuses), loopText(r.loop), note]);
  }
  for (const [name, p] of [
    ['floor, all rounds', floor],
    ['bot, all rounds', bot],
  ] as const) {
    rows.push([name, '', String(p.ack.n), f(p.ack.p50), f(p.ack.p99), f(p.ack.max), '', statuses(p.statuses), loopText(p.loop), '']);
  }
  return table(rows);
}

export function clickTable(rounds: RoundRecord[], floor: Pooled, bot: Pooled, labels: { floor: string; bot: string }): string {
  const rows = [['', 'round', 'matched', 'p50', 'p99', 'max', 'clicks/s', 'ack p50', 'ack p99', 'HTTP statuses', 'timeouts', 'loop delay p50/p99/max']];
  for (const r of rounds) {
    const c = r.result as ClickResult;
    const u = summarize(c.updateMs);
    const a = summarize(c.ms);
    const rate = (a.n / (c.wallMs / 1000)).toFixed(0);
    rows.push([
      labels[r.server],
      String(r.round),
      `${u.n}/${a.n}`,
      f(u.p50),
      f(u.p99),
      f(u.max),
      rate,
      f(a.p50),
      f(a.p99),
      statuses(c.statuses),
      String(c.timeouts),
      loopText(r.loop),
    ]);
  }
  for (const [name, p] of [
    ['floor, all rounds', floor],
    ['bot, all rounds', bot],
  ] as const) {
    const u = p.update!;
    rows.push([
      name,
      '',
      `${u.n}/${p.ack.n}`,
      f(u.p50),
      f(u.p99),
      f(u.max),
      '',
      f(p.ack.p50),
      f(p.ack.p99),
      statuses(p.statuses),
      String(p.timeouts),
      loopText(p.loop),
    ]);
  }
  return table(rows);
}

function loopText(l: LoopDelay): string {
  return `${f(l.p50)}/${f(l.p99)}/${f(l.max)}`;
}

/** The measuring side's own loop delay: if it is high, the latencies above include the client's queueing. */
export function clientLine(floor: Pooled, bot: Pooled): string {
  return `   Load client's own loop delay p50/p99/max: ${loopText(floor.clientLoop)} in floor rounds, ${loopText(bot.clientLoop)} in bot rounds.`;
}

export function ratio(bot: number, floor: number): string {
  return floor > 0 ? `${(bot / floor).toFixed(2)}x` : 'n/a';
}
