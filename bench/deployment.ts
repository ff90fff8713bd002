/**
 * What the bot's own processes do, started as a user starts them: `incident-bot start` (the real
 * CLI, built: `node dist/app/cli.js start`) as a child process, pointed at a fake Slack in a
 * process of its own, loaded by the bench's load client. Shared by the `clicks`, `acks` and
 * `memory` sections.
 */
import { execFileSync } from 'node:child_process';
import { REPO_ROOT, startBot as startCli, type BotProcess, type BotRole } from '../test/support/bot-process';
import { botEnv, slackEnv } from '../test/support/bot-env';
import { TEST_REDIS_URL } from '../test/support/redis';
import type { BoundedChildren } from './bounded';
import type { Child } from './ipc';
import type { ClickLoad, ClickResult, CommandLoad, LoadResult, StepMessage } from './protocol';
import { BOT_TOKEN, SIGNING_SECRET } from './protocol';
import { SlackTraffic } from './slack-traffic';
import { percentile } from './stats';

export function setting(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive whole number`);
  return v;
}

export interface Rig {
  fake: Child;
  client: Child;
  traffic: SlackTraffic;
  apiUrl: string;
  respondBase: string;
}

/** The fake Slack and the load client, each in its own process under the section's deadline. */
export async function startRig(bounded: BoundedChildren, label: string): Promise<Rig> {
  const { child: fake, ready } = await bounded.spawn<{ url: string; apiUrl: string }>(`fake Slack (${label})`, '../test/support/bench-fake-slack-server.ts');
  const { child: client } = await bounded.spawn<void>(`load client (${label})`, 'load-client.ts');
  return { fake, client, traffic: new SlackTraffic(fake), apiUrl: ready.apiUrl, respondBase: `${ready.url}/respond/` };
}

/**
 * `incident-bot start --role <role>` on the section's schema and prefix, as a user runs it: built,
 * `node dist/app/cli.js` (log level info, to stdout). BENCH_BOT_RUNTIME=tsx runs the sources instead.
 */
export function startBotProcess(
  rig: Rig,
  databaseUrl: string,
  prefix: string,
  role: BotRole = 'all',
  extra: Record<string, string> = {},
  fromBuild = process.env.BENCH_BOT_RUNTIME !== 'tsx',
): Promise<BotProcess> {
  if (fromBuild) buildOnce();
  return startCli({
    built: fromBuild,
    env: {
      PATH: process.env.PATH,
      ...botEnv({ databaseUrl, prefix, redisUrl: TEST_REDIS_URL, logLevel: process.env.BENCH_BOT_LOG_LEVEL ?? 'info' }),
      ...slackEnv(BOT_TOKEN, SIGNING_SECRET, rig.apiUrl),
      ...extra,
    },
    role,
    // e.g. BENCH_BOT_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the bot (written when it stops).
    nodeArgs: process.env.BENCH_BOT_NODE_ARGS?.split(' ').filter(Boolean),
    readyTimeoutMs: 60_000,
  });
}

let built = false;

/** `npm run build`, once per bench run: every section then starts what the build of this tree is. */
function buildOnce(): void {
  if (built) return;
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: 'inherit' });
  built = true;
}

/** A floor (bare Bolt) in its own process: `durable` commits one row to Postgres before each ack. */
export async function startFloorProcess(bounded: BoundedChildren, rig: Rig, kind: 'floor' | 'durable', databaseUrl?: string) {
  const { child, ready } = await bounded.spawn<{ eventsUrl: string }>(kind === 'durable' ? 'durable floor' : 'floor', 'target-process.ts', {
    BENCH_TARGET: kind,
    BENCH_SLACK_API_URL: rig.apiUrl,
    ...(databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {}),
  });
  return { child, eventsUrl: ready.eventsUrl };
}

let commandIndex = 0;

/** `total` signed `/incident <text> N` at `concurrency` in flight; `user` declares them all if given. */
export function declares(rig: Rig, url: string, text: string, total: number, concurrency: number, user?: string): Promise<LoadResult> {
  const firstIndex = commandIndex;
  commandIndex += total;
  return rig.client.call<LoadResult>(
    'commands',
    { url, text, responseBase: rig.respondBase, total, concurrency, firstIndex, ...(user ? { user } : {}) } satisfies CommandLoad,
    600_000,
  );
}

/** Declares `count` incidents as `user` and waits until every one is provisioned; returns their channels. */
export async function declareIncidents(rig: Rig, url: string, count: number, user: string, timeoutMs = 120_000): Promise<string[]> {
  const before = rig.traffic.declared;
  await declares(rig, url, 'pdf-404 bench', count, Math.min(count, 20), user);
  await rig.traffic.settle(() => rig.traffic.declared >= before + count, `${count} incidents to be provisioned`, timeoutMs);
  return rig.traffic.declaredChannels.slice(before, before + count);
}

/** The step messages (checklists) of these channels, as the fake Slack holds them now. */
export function stepMessages(rig: Rig, channels: string[]): Promise<StepMessage[]> {
  return rig.fake.call<StepMessage[]>('stepMessages', channels);
}

/** A closed loop of clicks: `concurrency` lanes, each on a checklist no other lane is clicking. */
export function clickLoop(rig: Rig, target: string, url: string, user: string, total: number, concurrency: number): Promise<ClickResult> {
  return rig.client.call<ClickResult>(
    'clicks',
    { target, url, responseBase: rig.respondBase, total, concurrency, user, timeoutMs: 10_000, spread: true } satisfies ClickLoad,
    600_000,
  );
}

/** Resident set size of a process in MiB, from /proc. */
export async function rssMiB(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
export const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
