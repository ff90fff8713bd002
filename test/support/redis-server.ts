/**
 * A private redis-server on loopback, owned by one test: it can be SIGKILLed and started again
 * empty on the same port (a Redis restarted without persistence) without touching the shared
 * Redis other test files use.
 */
import { spawn } from 'node:child_process';
import { killOnExit } from './children';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './bot-process';

export interface RedisServer {
  port: number;
  url: string;
  /** Resolves once the server process has exited. */
  exited: Promise<void>;
  /** Sends `signal` (SIGKILL unless told) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** The server's last output, to explain a start that failed. */
  output(): string;
}

/**
 * Starts `redis-server` with no persistence at all (no RDB, no AOF, its working directory a fresh
 * temporary folder), on `port` or a free one, and resolves once it answers PING.
 */
export async function startRedisServer(opts: { port?: number; readyTimeoutMs?: number } = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-fault-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, '--loglevel', 'warning'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  killOnExit(child);
  let out = '';
  const keep = (c: Buffer) => {
    out = (out + c.toString('utf8')).slice(-4_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    child.once('exit', done);
    // A spawn that failed never emits 'exit'.
    void spawnError.then(done);
  });
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill(signal);
      await exited;
    },
    output: () => out,
  };

  const timeoutMs = opts.readyTimeoutMs ?? 5_000;
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  while (!gone && Date.now() < deadline) {
    if (await ping(port)) return server;
    await new Promise((r) => setTimeout(r, 50));
  }
  await server.kill('SIGKILL');
  const why = await Promise.race([
    spawnError.then((e) => `could not be started: ${e.message}`),
    Promise.resolve(gone ? 'exited' : `did not answer PING within ${timeoutMs} ms`),
  ]);
  throw new Error(`redis-server on port ${port} ${why}\n--- output ---\n${out || '(none)'}`);
}

/** True when something on `port` answers PING with PONG within half a second. */
export function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), 500);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (c) => {
      data += c.toString('utf8');
      if (data.includes('\r\n')) finish(data.startsWith('+PONG'));
    });
    socket.on('error', () => finish(false));
  });
}
