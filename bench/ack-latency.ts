/**
 * Ack latency of /incident under load: 200 signed slash commands, 20 in flight, against the
 * real HTTP receiver, Postgres and Redis, with the fake Slack Web API on loopback. The same
 * load against a bare Bolt app that only acks gives the floor we compare with. The load comes
 * from a child process, so the client's own work does not sit on the server's event loop.
 *
 *   npm run bench            (TOTAL=200 CONCURRENCY=20 by default)
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { startHarness, SIGNING_SECRET } from '../test/support/harness';
import { postSigned } from '../test/support/signing';

const TOTAL = Number(process.env.TOTAL ?? 200);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 20);
// Unmeasured requests first, so JIT warm-up and connection set-up do not count as ack latency.
const WARMUP = Number(process.env.WARMUP ?? 40);

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

type Result = { ms: number[]; statuses: Map<number, number>; wall: number };
type Spec = { url: string; text: string; responseBase: string; total: number };

let loader: ReturnType<typeof fork> | null = null;

/** Runs one load from the (single, kept warm) client process and returns its timings. */
function load(url: string, text: string, responseBase: string, total = TOTAL): Promise<Result> {
  loader ??= fork(__filename, [], { env: { ...process.env, BENCH_CLIENT: '1' }, execArgv: process.execArgv });
  const child = loader;
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ms: number[]; statuses: Array<[number, number]>; wall: number }) => {
      resolve({ ms: m.ms, statuses: new Map(m.statuses), wall: m.wall });
    });
    child.once('error', reject);
    child.send({ url, text, responseBase, total } satisfies Spec);
  });
}

async function loadHere(
  url: string,
  body: (i: number) => string,
  total = TOTAL,
): Promise<{ ms: number[]; statuses: Map<number, number>; wall: number }> {
  const ms: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const res = await postSigned(url, SIGNING_SECRET, body(i), 'application/x-www-form-urlencoded');
        ms.push(res.ms);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  return { ms: ms.sort((a, b) => a - b), statuses, wall: performance.now() - started };
}

function report(name: string, r: { ms: number[]; statuses: Map<number, number>; wall: number }): void {
  const f = (n: number) => n.toFixed(1).padStart(7);
  console.log(
    `${name.padEnd(34)} p50 ${f(percentile(r.ms, 50))} ms  p99 ${f(percentile(r.ms, 99))} ms  max ${f(r.ms[r.ms.length - 1]!)} ms  ` +
      `statuses ${JSON.stringify(Object.fromEntries(r.statuses))}  (${TOTAL} requests, ${CONCURRENCY} concurrent, ${(r.wall / 1000).toFixed(2)} s)`,
  );
}

function commandBody(text: string, i: number, responseUrl: string): string {
  return new URLSearchParams({
    team_id: 'T0BENCH',
    channel_id: 'CGENERAL',
    user_id: `UBENCH${String(i % 50).padStart(3, '0')}`,
    command: '/incident',
    text,
    response_url: responseUrl,
    trigger_id: `t${i}`,
  }).toString();
}

async function bareBoltFloor() {
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: '/slack/events', processBeforeResponse: false, logLevel: LogLevel.ERROR });
  const app = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-test-bench', botId: 'B', botUserId: 'U' }), logLevel: LogLevel.ERROR });
  app.command('/incident', async ({ ack }) => ack({ response_type: 'ephemeral', text: 'ok' }));
  const server = (await app.start(0)) as { address(): AddressInfo };
  const url = `http://127.0.0.1:${server.address().port}/slack/events`;
  try {
    await load(url, 'pdf-404 bench', 'http://127.0.0.1:9/unused', WARMUP);
    return await load(url, 'pdf-404 bench', 'http://127.0.0.1:9/unused');
  } finally {
    await app.stop();
  }
}

async function main(): Promise<void> {
  const floor = await bareBoltFloor();
  const h = await startHarness();
  try {
    await load(h.eventsUrl, 'help', h.slack.responseUrl('w'), WARMUP);
    const declare = await load(h.eventsUrl, 'pdf-404 bench incident', h.slack.responseUrl('d'));
    const provisioned = performance.now();
    await h.slack.waitFor(() => h.slack.replies.filter((r) => /declared/.test(r.body.text)).length >= TOTAL, 'every channel', 120_000);
    const drain = performance.now() - provisioned;
    const help = await load(h.eventsUrl, 'help', h.slack.responseUrl('h'));
    console.log(`\nAck latency, ${new Date().toISOString()}, node ${process.version}`);
    report('bare Bolt (ack only, the floor)', floor);
    report('/incident pdf-404 … (declare)', declare);
    report('/incident help', help);
    console.log(`All ${TOTAL} incidents had their channel, pinned header and checklist ${(drain / 1000).toFixed(2)} s after the last ack.`);
  } finally {
    loader?.kill();
    await h.stop();
  }
}

async function client(spec: Spec): Promise<void> {
  const r = await loadHere(spec.url, (i) => commandBody(`${spec.text} ${i}`, i, `${spec.responseBase}-${i}`), spec.total);
  process.send!({ ms: r.ms, statuses: [...r.statuses], wall: r.wall });
}

if (process.env.BENCH_CLIENT) {
  process.on('message', (spec: Spec) => void client(spec));
} else {
  void main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
