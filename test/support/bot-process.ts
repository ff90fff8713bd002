/**
 * The real bot (`src/app/cli.ts start`) as a separate OS process, so a test or the soak can kill it
 * with SIGKILL mid-request and see what a crash really leaves behind: nothing in-process (no
 * runtime.stop(), no finally blocks) gets to run.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { killOnExit } from './children';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type BotRole = 'all' | 'web' | 'worker';

export const REPO_ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(REPO_ROOT, 'src', 'app', 'cli.ts');
const BUILT_CLI = path.join(REPO_ROOT, 'dist', 'app', 'cli.js');
const OUTPUT_LINES = 200;
const STOP_GRACE_MS = 10_000;

// The parent cannot clean up after itself when it is SIGKILLed, so the child watches the IPC
// channel instead: this module is preloaded into the bot (--import) with this marker set, and when the
// parent dies the channel closes and the bot exits. The bot's own code stays untouched.
const EXIT_WITH_PARENT = 'BOT_PROCESS_EXIT_WITH_PARENT';
if (process.env[EXIT_WITH_PARENT] === '1' && process.send) {
  process.on('disconnect', () => process.exit(70));
}

export interface BotProcess {
  pid: number;
  port: number;
  baseUrl: string;
  eventsUrl: string;
  /** Resolves once the process has exited, with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (SIGKILL unless told) and resolves when the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited after 10 s. */
  stop(): Promise<void>;
  /** The last ~200 lines of stdout and stderr, interleaved as they arrived. */
  output(): string;
}

export interface StartBotOptions {
  /** The bot's whole environment; nothing is inherited from this process, so nothing leaks in. */
  env: Record<string, string | undefined>;
  role?: BotRole;
  /** A port to listen on (e.g. the one a killed predecessor used); a free one is picked if absent. */
  port?: number;
  readyTimeoutMs?: number;
  /** Flags for node itself (e.g. --cpu-prof), which NODE_OPTIONS does not all take. */
  nodeArgs?: string[];
  /** Runs `node dist/app/cli.js` as the README and the image do (built beforehand), not the sources through tsx. */
  built?: boolean;
}

/**
 * `src/app/cli.ts <args>` in its own process, as an operator runs it (through tsx, no build needed).
 * `preload`: more `--import`s, after tsx's. `stdio` defaults to pipes for all three.
 */
export function spawnCli(args: string[], opts: { env: NodeJS.ProcessEnv; stdio?: StdioOptions; preload?: string[]; nodeArgs?: string[] }): ChildProcess {
  return spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', ...(opts.preload ?? []).flatMap((p) => ['--import', p]), CLI, ...args], {
    cwd: REPO_ROOT,
    env: opts.env,
    stdio: opts.stdio ?? 'pipe',
  });
}

/** A port nobody listens on right now: listen on 0, read it, close. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not read the free port');
  return address.port;
}

/** Keeps the last `max` lines of a stream pair without holding the whole log in memory. */
class TailBuffer {
  private lines: string[] = [];
  private partial = new Map<string, string>();

  constructor(private readonly max: number) {}

  write(stream: string, chunk: string): void {
    const text = (this.partial.get(stream) ?? '') + chunk;
    const parts = text.split('\n');
    this.partial.set(stream, parts.pop() ?? '');
    for (const line of parts) this.push(stream, line);
  }

  text(): string {
    const pending = [...this.partial].filter(([, l]) => l).map(([s, l]) => `${s}| ${l}`);
    return [...this.lines, ...pending].join('\n');
  }

  private push(stream: string, line: string): void {
    this.lines.push(`${stream}| ${line}`);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
}

export async function startBot(opts: StartBotOptions): Promise<BotProcess> {
  const role = opts.role ?? 'all';
  const port = opts.port ?? (await freePort());
  const env = { ...opts.env, PORT: String(port), [EXIT_WITH_PARENT]: '1' };
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', 'ipc'];
  const child = opts.built
    ? // No tsx to load this module's watch on the parent: killOnExit (below) is what ends it with us.
      spawn(process.execPath, [...(opts.nodeArgs ?? []), BUILT_CLI, 'start', '--role', role], { cwd: REPO_ROOT, env, stdio })
    : // This module is preloaded through --import, after tsx: a -r would run before tsx's hook is in place.
      spawnCli(['start', '--role', role], { env, stdio, preload: [pathToFileURL(__filename).href], nodeArgs: opts.nodeArgs });
  killOnExit(child);
  const tail = new TailBuffer(OUTPUT_LINES);
  child.stdout!.setEncoding('utf8').on('data', (c: string) => tail.write('out', c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => tail.write('err', c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  // spawn reports a missing executable asynchronously; without a listener it would crash us.
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const baseUrl = `http://127.0.0.1:${port}`;

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const bot: BotProcess = {
    pid: child.pid ?? -1,
    port,
    baseUrl,
    eventsUrl: `${baseUrl}/slack/events`,
    exited,
    kill,
    async stop() {
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await kill('SIGTERM');
      clearTimeout(force);
    },
    output: () => tail.text(),
  };

  const timeoutMs = opts.readyTimeoutMs ?? 20_000;
  let gone = false;
  void exited.then(() => (gone = true));
  const problem = await Promise.race([
    waitReady(`${baseUrl}/readyz`, timeoutMs, () => gone),
    exited.then(({ code, signal }) => `exited (${signal ?? code}) before it was ready`),
    spawnError.then((err) => `could not be started: ${err.message}`),
  ]);
  if (problem) {
    await kill('SIGKILL');
    throw new Error(`bot (role ${role}, port ${port}) ${problem}\n--- last output ---\n${tail.text() || '(none)'}`);
  }
  return bot;
}

/** Polls /readyz until it answers 200; returns what went wrong otherwise, or null when ready. */
async function waitReady(url: string, timeoutMs: number, gone: () => boolean): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  // Stops polling once the process is gone: the exit is then the answer, not a timeout.
  while (Date.now() < deadline && !gone()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const body = await res.text();
      if (res.status === 200) return null;
      last = `HTTP ${res.status} ${body.slice(0, 300)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return `was not ready within ${timeoutMs} ms (last /readyz: ${last})`;
}
