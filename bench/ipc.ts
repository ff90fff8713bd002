import { fork, type ChildProcess } from 'node:child_process';

/**
 * Wall-clock milliseconds with sub-millisecond resolution. Every bench process uses it, so a
 * time taken in one process can be subtracted from one taken in another on the same machine.
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

interface Envelope {
  id?: number;
  cmd?: string;
  args?: unknown;
  ok?: boolean;
  result?: unknown;
  error?: string;
  event?: string;
  data?: unknown;
}

/** The parent's handle on one bench process: request/response calls plus one-way events. */
export class Child {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly listeners = new Map<string, (data: any) => void>();
  private exited: Promise<void>;
  private alive = true;

  constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    proc.on('message', (m: Envelope) => {
      if (m.event) return this.listeners.get(m.event)?.(m.data);
      const p = m.id === undefined ? undefined : this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id!);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${name}: ${m.error}`));
    });
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.alive = false;
        const err = new Error(`${name} process exited (${signal ?? code})`);
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(err);
        }
        this.pending.clear();
        resolve();
      });
    });
  }

  call<T>(cmd: string, args?: unknown, timeoutMs = 60_000): Promise<T> {
    if (!this.alive) return Promise.reject(new Error(`${this.name} process is not running`));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.proc.send({ id, cmd, args } satisfies Envelope);
    });
  }

  on(event: string, fn: (data: any) => void): void {
    this.listeners.set(event, fn);
  }

  send(event: string, data: unknown): void {
    if (this.alive && this.proc.connected) this.proc.send({ event, data } satisfies Envelope);
  }

  /** Asks the process to clean up and exit; kills it if it does not within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.alive) return;
    await this.call('stop', undefined, graceMs).catch(() => undefined);
    const killed = setTimeout(() => this.proc.kill('SIGKILL'), 2_000);
    await this.exited;
    clearTimeout(killed);
  }

  kill(): void {
    if (this.alive) this.proc.kill('SIGKILL');
  }
}

/** Forks a TypeScript bench process and waits for its `ready` event (whose data it returns). */
export async function startChild<R>(name: string, script: string, env: Record<string, string> = {}, timeoutMs = 30_000): Promise<{ child: Child; ready: R }> {
  const proc = fork(script, [], {
    env: { ...process.env, ...env },
    // execArgv replaces the parent's loader flags, so a forked .ts file needs tsx's hook again.
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const child = new Child(name, proc);
  const ready = await new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.on('ready', (data: R) => {
      clearTimeout(timer);
      resolve(data);
    });
    child.on('failed', (message: string) => {
      clearTimeout(timer);
      reject(new Error(`${name} failed to start: ${message}`));
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready`));
    });
  }).catch((err: Error) => {
    child.kill();
    throw err;
  });
  return { child, ready };
}

/**
 * A latency that subtracts a time taken in one process from one taken in another is only as good
 * as their clocks agree. This bounds how far apart `a` and `b` read, from the parent's round trips to each.
 */
export async function clockSkew(a: Child, b: Child): Promise<{ skew: number; within: number }> {
  const offset = async (c: Child) => {
    let best = { offset: 0, error: Infinity };
    for (let k = 0; k < 20; k++) {
      const t0 = wallNow();
      const theirs = await c.call<number>('now');
      const t1 = wallNow();
      if ((t1 - t0) / 2 < best.error) best = { offset: theirs - (t0 + t1) / 2, error: (t1 - t0) / 2 };
    }
    return best;
  };
  const [x, y] = [await offset(a), await offset(b)];
  return { skew: y.offset - x.offset, within: x.error + y.error };
}

const eventHandlers = new Map<string, (data: any) => void>();

/**
 * Child side: answers the parent's calls with `handlers`. Every process also answers `now`
 * (for the clock check) and `stop` (runs handlers.stop if any, then exits).
 */
export function serve(handlers: Record<string, (args: any) => unknown>): void {
  // answer() catches everything it runs, so the promise it returns never rejects.
  process.on('message', (m: Envelope) => void answer(m));
  async function answer(m: Envelope): Promise<void> {
    if (m.event) return void eventHandlers.get(m.event)?.(m.data);
    if (m.id === undefined || !m.cmd) return;
    let reply: Envelope;
    try {
      const fn = m.cmd === 'now' ? wallNow : handlers[m.cmd];
      if (!fn) throw new Error(`unknown command ${m.cmd}`);
      reply = { id: m.id, ok: true, result: await fn(m.args) };
    } catch (err) {
      reply = { id: m.id, ok: false, error: (err as Error).stack ?? String(err) };
    }
    if (m.cmd === 'stop') process.send!(reply, () => process.exit(0));
    else process.send!(reply);
  }
}

// An orphan must never outlive the bench: a child that loses its parent, even mid-start, exits.
if (process.send) process.on('disconnect', () => process.exit(0));

export function emit(event: string, data?: unknown): void {
  process.send?.({ event, data } satisfies Envelope);
}

export function onEvent(event: string, fn: (data: any) => void): void {
  eventHandlers.set(event, fn);
}

/** Reports a start-up failure to the parent instead of dying silently. */
export function failStart(err: unknown): void {
  emit('failed', (err as Error).stack ?? String(err));
  setTimeout(() => process.exit(1), 100);
}
