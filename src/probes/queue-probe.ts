import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { durationMs } from '../core/runbook/schema';
import { ProbeNetworkError, type ProbeOutcome } from './outcome';

/** A `kind: queue` probe of a runbook: how a BraiFlow queue must look for the probe to pass. */
export interface QueueProbeDef {
  id: string;
  title: string;
  queue: string;
  max_waiting: number;
  max_failed: number;
  /** Workers that must be connected; 1 when not given. */
  min_workers?: number;
  /** Oldest waiting job's age limit, as a runbook duration (90s, 5m, 1h). */
  max_oldest_waiting?: string;
}

/** The BraiFlow queue Redis: BRAIFLOW_QUEUE_REDIS_URL and BRAIFLOW_QUEUE_PREFIX (default 'bull'). */
export interface QueueTarget {
  redisUrl: string;
  prefix: string;
}

export interface QueueProberOptions {
  /** Bound on one run, connecting included. */
  timeoutMs?: number;
  /** Clock for the age of the oldest waiting job (tests move it). */
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
// Shows up in CLIENT LIST, so whoever looks at BraiFlow's Redis can tell the bot from the app.
// It does not match BullMQ's worker names, so the probe never counts itself as a worker.
const CONNECTION_NAME = 'incident-bot:queue-probe';
// Errors that mean "Redis is not there right now": worth another try, not a verdict on the queue.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

interface Session {
  redis: Redis;
  ready: Promise<void>;
  /** Became ready once; a later network error means it died, not that Redis was never there. */
  connected: boolean;
  /** Given up on (timeout, error, close): a run still in flight must not add queue handles to it. */
  discarded: boolean;
  queues: Map<string, Queue>;
  lastError?: Error;
}

interface Measured {
  counts: Record<'waiting' | 'prioritized' | 'active' | 'failed' | 'delayed', number>;
  workers: number;
  oldestWaitingMs: number | null;
  paused: boolean;
}

class Timeout extends Error {}

/**
 * Reads a BraiFlow queue through BullMQ's own API on one Redis connection shared by every run.
 * Read only: queue handles skip BullMQ's meta update, so probing a misspelt queue writes nothing.
 */
export class QueueProber {
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly where: string;
  private session: Session | undefined;
  private closed = false;

  constructor(
    private readonly target: QueueTarget,
    opts: QueueProberOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = opts.now ?? Date.now;
    this.where = redisAddress(target.redisUrl);
  }

  async run(def: QueueProbeDef): Promise<ProbeOutcome> {
    if (this.closed) throw new Error('QueueProber.run after close()');
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const error = (reason: string): ProbeOutcome => ({
      status: 'error',
      reason,
      detail: { queue: def.queue, prefix: this.target.prefix },
      durationMs: elapsed(),
    });

    let maxAgeMs: number | undefined;
    try {
      maxAgeMs = def.max_oldest_waiting === undefined ? undefined : durationMs(def.max_oldest_waiting);
    } catch {
      return error(`${def.queue}: max_oldest_waiting "${def.max_oldest_waiting}" is not a duration such as 90s, 5m or 1h`);
    }
    // BullMQ uses ':' to build its keys, so such a queue cannot exist: a runbook typo, not an outage.
    if (def.queue.includes(':')) return error(`${def.queue}: a BullMQ queue name cannot contain ':'; fix the runbook's queue`);

    let session = this.open();
    // A connection kept from an earlier run may have died since (Redis restarted, idle cut):
    // that costs one fresh dial within this run's time, not a failed attempt.
    let mayRedial = session.connected;
    for (;;) {
      try {
        const measured = await bounded(this.measure(session, def.queue), Math.max(0, this.timeoutMs - elapsed()));
        return this.judge(def, measured, maxAgeMs, elapsed());
      } catch (err) {
        const network = err instanceof Timeout || this.isNetworkError(err, session);
        // Never keep a half-dead connection: the next run dials again, the job layer paces retries.
        this.discard(session);
        if (network && mayRedial && !(err instanceof Timeout)) {
          mayRedial = false;
          session = this.open();
          continue;
        }
        if (network) {
          const why = err instanceof Timeout ? `no answer within ${this.timeoutMs} ms` : describe(session.lastError ?? err);
          throw new ProbeNetworkError(`${def.queue}: Redis at ${this.where} unreachable (${why})`, elapsed());
        }
        // Redis answered, but not as a BullMQ queue store would (NOAUTH, WRONGTYPE, old version...).
        return error(`${def.queue}: Redis at ${this.where} refused the probe: ${describe(err)}`);
      }
    }
  }

  /** Closes every queue handle and the connection; safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    if (session) await closeSession(session);
  }

  private open(): Session {
    const current = this.session;
    // 'end' after Redis dropped us between runs: start over rather than fail this run.
    if (current && current.redis.status !== 'end' && current.redis.status !== 'close') return current;
    if (current) this.discard(current);
    const redis = new IORedis(this.target.redisUrl, {
      lazyConnect: true,
      connectTimeout: this.timeoutMs,
      connectionName: CONNECTION_NAME,
      // No reconnect loop in the background and no queued commands: a probe wants an answer now.
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    const session: Session = { redis, ready: Promise.resolve(), connected: false, discarded: false, queues: new Map() };
    // Without a listener ioredis would crash the process on a refused connection.
    redis.on('error', (err: Error) => {
      session.lastError = err;
    });
    session.ready = redis.connect().then(() => {
      session.connected = true;
    });
    session.ready.catch(() => undefined);
    this.session = session;
    return session;
  }

  private queue(session: Session, name: string): Queue {
    let queue = session.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: session.redis, prefix: this.target.prefix, skipMetasUpdate: true });
      // Connection errors surface through the awaited calls; the event is only noise here.
      queue.on('error', () => undefined);
      session.queues.set(name, queue);
    }
    return queue;
  }

  private async measure(session: Session, name: string): Promise<Measured> {
    await session.ready;
    if (session.discarded) throw new Error('Connection is closed.');
    const queue = this.queue(session, name);
    const [counts, workers, oldest, paused] = await Promise.all([
      // Jobs added with a priority wait in their own set, not the wait list: count them as waiting.
      queue.getJobCounts('waiting', 'prioritized', 'active', 'failed', 'delayed'),
      queue.getWorkersCount(),
      // Ascending range 0..0 of the wait list is the job added first: the next one a worker takes.
      queue.getWaiting(0, 0),
      queue.isPaused(),
    ]);
    const timestamp = oldest[0]?.timestamp;
    return {
      counts: {
        waiting: counts.waiting ?? 0,
        prioritized: counts.prioritized ?? 0,
        active: counts.active ?? 0,
        failed: counts.failed ?? 0,
        delayed: counts.delayed ?? 0,
      },
      workers,
      oldestWaitingMs: timestamp === undefined ? null : Math.max(0, this.now() - timestamp),
      paused,
    };
  }

  private judge(def: QueueProbeDef, m: Measured, maxAgeMs: number | undefined, duration: number): ProbeOutcome {
    const waiting = m.counts.waiting + m.counts.prioritized;
    const minWorkers = def.min_workers ?? 1;
    const broken: string[] = [];
    if (m.workers < minWorkers) broken.push(m.workers === 0 ? 'no worker connected' : `${plural(m.workers, 'worker')} (min ${minWorkers})`);
    if (waiting > def.max_waiting) broken.push(`${waiting} waiting (max ${def.max_waiting})`);
    if (m.counts.failed > def.max_failed) broken.push(`${m.counts.failed} failed (max ${def.max_failed})`);
    if (maxAgeMs !== undefined && m.oldestWaitingMs !== null && m.oldestWaitingMs > maxAgeMs) {
      broken.push(`oldest waiting ${age(m.oldestWaitingMs)} (max ${def.max_oldest_waiting})`);
    }

    let parts: string[];
    if (broken.length === 0) {
      parts = [`${waiting} waiting`, `${m.counts.failed} failed`, plural(m.workers, 'worker')];
      if (m.oldestWaitingMs !== null) parts.push(`oldest ${age(m.oldestWaitingMs)}`);
    } else {
      // What is broken first, then just enough context to pick the next step.
      parts = [...broken];
      if (m.workers >= minWorkers) parts.push(plural(m.workers, 'worker'));
      else if (waiting > 0 && waiting <= def.max_waiting) parts.push(`${waiting} waiting`);
    }
    // A paused queue explains a growing backlog with healthy workers: say so before anyone restarts them.
    if (m.paused) parts.push('queue paused');

    return {
      status: broken.length === 0 ? 'pass' : 'fail',
      reason: `${def.queue}: ${parts.join(', ')}`,
      detail: {
        queue: def.queue,
        prefix: this.target.prefix,
        ...m.counts,
        workers: m.workers,
        oldestWaitingMs: m.oldestWaitingMs,
        paused: m.paused,
      },
      durationMs: duration,
    };
  }

  private isNetworkError(err: unknown, session: Session): boolean {
    // A refused connect rejects with a bare "Connection is closed."; the cause arrived as an 'error' event.
    if (session.redis.status === 'end' || session.redis.status === 'close') {
      return !isRedisReply(session.lastError) && !isRedisReply(err);
    }
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    // The connection dropped under a command: ioredis says so in words, not with a code.
    return /Connection is closed|Stream isn't writeable/.test(messageOf(err));
  }

  private discard(session: Session): void {
    if (this.session === session) this.session = undefined;
    void closeSession(session);
  }
}

async function closeSession(session: Session): Promise<void> {
  session.discarded = true;
  // Queue handles on a shared connection only detach their listeners; bounded all the same.
  await bounded(Promise.allSettled([...session.queues.values()].map((q) => q.close())), 1_000).catch(() => undefined);
  session.queues.clear();
  const { redis } = session;
  if (redis.status === 'end') return;
  const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
  redis.disconnect();
  // 'end' follows once the socket is really closed, so nothing is left open when close() returns.
  await bounded(ended, 1_000).catch(() => undefined);
}

/** `work`, or a Timeout after `ms`; the timer never keeps the process alive. */
function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

// Duck-typed, not instanceof: errors raised by node:net come from another realm under Jest's VM.
function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}

function isRedisReply(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'ReplyError';
}

/** One line, no credentials: ioredis messages name host and port, never the URL's password. */
function describe(err: unknown): string {
  const message = messageOf(err);
  const line = message.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** host:port of the Redis URL, for messages: the URL itself may carry a password. */
function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'BRAIFLOW_QUEUE_REDIS_URL (not a valid URL)';
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** 12 s, 14 min, 3 h: enough precision to compare with a runbook limit at a glance. */
function age(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.floor(min / 60)} h`;
}
