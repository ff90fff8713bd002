/** Prints the soak's summary block and writes the full evidence next to it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BotSupervisor } from './bot-supervisor';
import type { Check, Evidence } from './invariants';
import type { LoadGenerator } from './load';
import type { Attempt } from './records';
import type { Quiescence } from './recovery';
import type { Settings } from './settings';

const SHOWN_DETAILS = 6;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function spread(values: number[], unit = 's', scale = 1000): string {
  if (values.length === 0) return 'none';
  const s = [...values].sort((a, b) => a - b);
  const f = (v: number) => (v / scale).toFixed(unit === 's' ? 2 : 0);
  return `min ${f(s[0]!)} · median ${f(quantile(s, 0.5))} · max ${f(s[s.length - 1]!)} ${unit} (n=${s.length})`;
}

function tally(items: string[]): string {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return (
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ') || 'none'
  );
}

/** Sent / acknowledged at the first try / only after retries / never. */
function ackLine(ops: Array<{ attempts: Attempt[] }>, acked: (o: { attempts: Attempt[] }) => boolean): string {
  const first = ops.filter((o) => acked(o) && o.attempts.length === 1).length;
  const later = ops.filter((o) => acked(o) && o.attempts.length > 1).length;
  return `sent ${ops.length} · acknowledged ${first} · not acknowledged ${ops.length - first} (of which acknowledged on retry ${later}, never ${ops.length - first - later})`;
}

export function printLoad(load: LoadGenerator, settings: Settings, bot: BotSupervisor): void {
  const d = load.declares;
  const ackedDeclare = (o: { attempts: Attempt[] }) => {
    const last = o.attempts[o.attempts.length - 1];
    return last?.status === 200 && !!last.body?.trim();
  };
  const ackedClick = (o: { attempts: Attempt[] }) => o.attempts[o.attempts.length - 1]?.status === 200;
  const outcomes = (o: string) => d.filter((x) => x.outcome === o).length;
  const attempts = [...d, ...load.clicks].flatMap((o) => o.attempts);
  const ackMs = (list: Array<{ attempts: Attempt[] }>, ok: (o: { attempts: Attempt[] }) => boolean) =>
    list.filter(ok).map((o) => {
      const a = o.attempts[o.attempts.length - 1]!;
      return a.endAt - a.sentAt;
    });
  const declareMs = ackMs(d, ackedDeclare);
  console.log(`  declares  ${ackLine(d, ackedDeclare)}`);
  console.log(
    `            acks: recorded ${outcomes('recorded')} · replayed (found the earlier attempt's) ${outcomes('replayed')} · NOT recorded ${outcomes('not-recorded')} · unconfirmed ${outcomes('unconfirmed')} · other ${outcomes('other')}`,
  );
  console.log(`            ack time ${spread(declareMs, 'ms', 1)}; over Slack's 3 s: ${declareMs.filter((ms) => ms > 3000).length}`);
  console.log(`            ${load.clicksTurnedDeclares} of these were meant as clicks but found no free step`);
  console.log(`  clicks    ${ackLine(load.clicks, ackedClick)}`);
  console.log(`            ack time ${spread(ackMs(load.clicks, ackedClick), 'ms', 1)}`);
  const refusals = load.clicks.filter((c) => c.acked && c.replies.length > 0).flatMap((c) => c.replies.map(normalize));
  console.log(`            replies to acknowledged clicks (refusals/errors): ${tally(refusals)}`);
  console.log(`  failed attempts by cause: ${tally(attempts.filter((a) => a.failure || a.status !== 200).map((a) => a.failure ?? `HTTP ${a.status}`))}`);
  const declareReplies = d.flatMap((x) => x.replies.map(normalize)).filter((t) => !/declared\. Work it in/.test(t));
  console.log(`  declare follow-ups other than "declared. Work it in …": ${tally(declareReplies)}`);
  if (load.notStarted) console.log(`  NOT STARTED: ${load.notStarted} ops (time limit or no bot)`);
  console.log(
    `  kills     ${bot.kills.length} of ${settings.kills} planned · restarted on the same port ${bot.kills.filter((k) => k.samePort).length} · crashes on its own ${bot.crashes.length}`,
  );
  for (const c of bot.crashes)
    console.log(`            crash of generation ${c.generation} (${c.how}); last output:\n${indent(c.lastOutput.split('\n').slice(-8).join('\n'))}`);
}

export function printRecovery(bot: BotSupervisor, load: LoadGenerator): void {
  const attempts = [...load.declares, ...load.clicks].flatMap((o) => o.attempts);
  // Requests the kill cut off: sent to the killed process, answered by none.
  const cut = (generation: number) => attempts.filter((a) => a.generation === generation && a.failure).length;
  const k = bot.kills;
  const ready = k.filter((x) => x.readyAt).map((x) => x.readyAt! - x.killAt);
  const ack = k.filter((x) => x.firstAckAt).map((x) => x.firstAckAt! - x.killAt);
  const prov = k.filter((x) => x.provisionedAt).map((x) => x.provisionedAt! - x.killAt);
  console.log(`  kill → new bot ready:                     ${spread(ready)}`);
  console.log(
    `  kill → first ack after restart:           ${spread(ack)}${ack.length < k.length ? ` · ${k.length - ack.length} kills never followed by an ack` : ''}`,
  );
  console.log(
    `  kill → all incidents declared before it set up: ${spread(prov)}${prov.length < k.length ? ` · ${k.length - prov.length} kills NOT recovered within the run` : ''} (±0.3 s, polled)`,
  );
  k.forEach((x, n) => {
    const s = (at: number | null) => (at ? `${((at - x.killAt) / 1000).toFixed(2)} s` : 'never');
    console.log(
      `    kill ${n + 1} (gen ${x.generation}, ${cut(x.generation)} requests cut off): ready ${s(x.readyAt)}, first ack ${s(x.firstAckAt)}, earlier incidents set up ${s(x.provisionedAt)}`,
    );
  });
}

export function printState(ev: Evidence, load: LoadGenerator, q: Quiescence): void {
  const titles = new Set(ev.incidents.map((i) => i.title));
  const duplicated = ev.incidents.length - titles.size;
  const calls = ev.summary.calls;
  const n = (m: string) => calls[m]?.ok ?? 0;
  console.log(
    `  Postgres  ${ev.incidents.length} incidents for ${load.declares.length} declares sent (${duplicated} duplicates) · ${ev.incidents.filter((i) => i.channel_id).length} with a channel_id · outbox rows never relayed ${ev.outboxPending}`,
  );
  console.log(
    `  Slack     channels ${ev.summary.channels.length} · conversations.create ${n('conversations.create')} · chat.postMessage ${n('chat.postMessage')} · chat.update ${n('chat.update')} · pins.add ${n('pins.add')} · replies ${ev.summary.replies}`,
  );
  console.log(
    `            refused calls: ${
      Object.entries(ev.summary.refusals)
        .map(([k, v]) => `${k} ×${v}`)
        .join(', ') || 'none'
    }`,
  );
  console.log(
    `  quiescence ${q.reached ? 'reached' : 'NOT reached'} after ${(q.ms / 1000).toFixed(1)} s${q.quiet ? '' : ' (Slack traffic still going)'}` +
      (q.unprovisioned.length
        ? `; ${q.unprovisioned.length} incidents not set up: ${q.unprovisioned
            .slice(0, 10)
            .map((i) => `INC-${i.number}${i.channel_id ? '' : '(no channel_id)'}`)
            .join(', ')}`
        : ''),
  );
}

export function printChecks(checks: Check[]): void {
  for (const c of checks) {
    console.log(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.count}`);
    const shown = c.pass ? c.details.filter((x) => x.startsWith('(info)')) : c.details.slice(0, SHOWN_DETAILS);
    for (const line of shown) console.log(`          ${line}`);
    if (!c.pass && c.details.length > SHOWN_DETAILS) console.log(`          … ${c.details.length - SHOWN_DETAILS} more in the evidence file`);
  }
}

/** Everything, for the person who has to explain a FAIL: per-op records, checks, bot output. */
export function writeEvidence(data: { checks: Check[]; load: LoadGenerator; bot: BotSupervisor; settings: Settings; evidence: Evidence }): string {
  const dir = path.join(os.tmpdir(), `incident-bot-soak-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'checks.json'), JSON.stringify(data.checks, null, 2));
  writeFileSync(path.join(dir, 'declares.json'), JSON.stringify(data.load.declares, null, 2));
  writeFileSync(path.join(dir, 'clicks.json'), JSON.stringify(data.load.clicks, null, 2));
  writeFileSync(path.join(dir, 'slack.json'), JSON.stringify(data.evidence.summary, null, 2));
  writeFileSync(path.join(dir, 'kills.json'), JSON.stringify({ kills: data.bot.kills, crashes: data.bot.crashes, settings: data.settings }, null, 2));
  for (const o of data.bot.outputs) writeFileSync(path.join(dir, `bot-gen-${o.generation}.log`), o.output);
  return dir;
}

function normalize(text: string): string {
  return text
    .replace(/INC-\d+/g, 'INC-n')
    .replace(/<#C\w+>/g, '<#C…>')
    .replace(/ref [0-9a-f]{8}/g, 'ref …')
    .slice(0, 140);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `              ${l}`)
    .join('\n');
}
