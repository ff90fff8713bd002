import { Queue, type JobsOptions } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import type { Logger } from '../util/logger';
import { jobIdFor, priorityOf, QUEUE_NAMES, queueOf, type QueueName } from './kinds';

export interface QueuePolicy {
  /** Jobs of this queue running at once, per worker process. */
  concurrency: number;
  jobOptions: JobsOptions;
}

/**
 * One queue per concern, each with its own pace and retry policy: a slow probe during an outage
 * must not hold up a checklist re-render, and a failed probe is a result, not an error to retry.
 */
export const QUEUE_POLICIES: Record<QueueName, QueuePolicy> = {
  // Slack and Teams calls: transient failures (rate limits, 5xx) are retried for about a minute.
  // Mostly waiting on the platform's answer: 8 at once keeps clicks on many incidents from queueing.
  chat: { concurrency: 8, jobOptions: { attempts: 6, backoff: { type: 'exponential', delay: 2_000 } } },
  // A network error is tried again twice; a clean fail is a result and ends the job.
  probes: { concurrency: 8, jobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 1_000 } } },
  escalations: { concurrency: 4, jobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 1_000 } } },
  // A pager that is down for a while must still get the page: retried for about an hour.
  webhooks: { concurrency: 4, jobOptions: { attempts: 12, backoff: { type: 'exponential', delay: 2_000 } } },
  schedules: { concurrency: 1, jobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 5_000 } } },
};

const RETENTION: JobsOptions = { removeOnComplete: { count: 1_000 }, removeOnFail: { age: 7 * 24 * 3600 } };

/** The job options every job of `queue` gets: retention plus the queue's retry policy. */
export function defaultJobOptions(queue: QueueName): JobsOptions {
  return { ...RETENTION, ...QUEUE_POLICIES[queue].jobOptions };
}

/**
 * BullMQ workers block on Redis; it requires maxRetriesPerRequest: null on their connections.
 * While Redis is away ioredis reports every reconnect attempt: log it as one structured line per
 * connection every 10 s, not a stack trace per attempt.
 */
export function createRedis(url: string, logger?: Logger, role = 'queue', opened?: Set<Redis>): Redis {
  const redis = new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  watch(redis, logger, role, opened);
  return redis;
}

/**
 * Logs a connection's errors, and keeps it (and the copies BullMQ makes of it for blocking
 * commands) in `opened`, so shutdown can cut every one even when Redis no longer answers.
 */
function watch(redis: Redis, logger: Logger | undefined, role: string, opened?: Set<Redis>): void {
  opened?.add(redis);
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (...args: Parameters<Redis['duplicate']>) => {
    const copy = duplicate(...args);
    watch(copy, logger, role, opened);
    return copy;
  };
  let lastLogged = 0;
  let suppressed = 0;
  redis.on('error', (err: Error) => {
    if (Date.now() - lastLogged < 10_000) {
      suppressed++;
      return;
    }
    logger?.warn({ redis: role, err, suppressed }, 'Redis connection error; reconnecting');
    lastLogged = Date.now();
    suppressed = 0;
  });
}

/**
 * Calls `fn` each time `redis` is ready again after losing its connection (not at the first
 * connect). A Redis restarted without persistence comes back empty: what lived only there
 * (schedulers, delayed jobs) must be put back by whoever knows it.
 */
export function onReconnect(redis: Redis, fn: () => void): void {
  let lost = false;
  redis.on('close', () => (lost = true));
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    fn();
  });
}

export interface OutgoingJob {
  kind: string;
  payload: Record<string, unknown>;
  dedupeKey: string;
  delayMs: number;
}

/** The producer side of every queue: add, remove a pending job, count, close. */
export class JobQueues {
  readonly queues: Record<QueueName, Queue>;

  constructor(connection: Redis, prefix: string, logger?: Logger) {
    this.queues = Object.fromEntries(
      QUEUE_NAMES.map((name) => {
        const queue = new Queue(name, { connection, prefix, defaultJobOptions: defaultJobOptions(name) });
        // The connection's own listener logs outages (createRedis); this only keeps BullMQ quiet.
        queue.on('error', (err: Error) => logger?.debug({ queue: name, err }, 'queue error'));
        return [name, queue];
      }),
    ) as Record<QueueName, Queue>;
  }

  /** Adds jobs to their queues, in the chat queue's order (kinds.ts); the same dedupe key twice is one job. */
  async add(jobs: OutgoingJob[]): Promise<void> {
    const byQueue = new Map<QueueName, OutgoingJob[]>();
    for (const j of jobs) byQueue.set(queueOf(j.kind), [...(byQueue.get(queueOf(j.kind)) ?? []), j]);
    await Promise.all(
      [...byQueue].map(([name, list]) =>
        this.queues[name].addBulk(
          list.map((j) => ({ name: j.kind, data: j.payload, opts: { jobId: jobIdFor(j.dedupeKey), delay: Math.max(0, j.delayMs), ...priority(j.kind) } })),
        ),
      ),
    );
  }

  /**
   * Removes a job that has not started (a delayed escalation nobody needs any more). False when
   * there is no such job, or it is already running: a running job must check for itself.
   */
  async remove(kind: string, dedupeKey: string): Promise<boolean> {
    const queue = this.queues[queueOf(kind)];
    const id = jobIdFor(dedupeKey);
    const state = await queue.getJobState(id);
    if (state === 'unknown' || state === 'active') return false;
    return (await queue.remove(id)) === 1;
  }

  /**
   * Runs a job waiting out its retry backoff now (a page that found setup unfinished, once setup
   * is done). Nothing for a job that is not delayed: it runs, ran, or never was.
   */
  async promote(kind: string, dedupeKey: string): Promise<void> {
    const job = await this.queues[queueOf(kind)].getJob(jobIdFor(dedupeKey));
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
  }

  /** What BullMQ knows of the job for a dedupe key: 'unknown' when Redis has no such job. */
  async state(kind: string, dedupeKey: string): Promise<string> {
    return this.queues[queueOf(kind)].getJobState(jobIdFor(dedupeKey));
  }

  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (name) => [name, await this.queues[name].getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed')] as const),
    );
    return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
  }

  async close(): Promise<void> {
    await Promise.all(QUEUE_NAMES.map((n) => this.queues[n].close()));
  }
}

function priority(kind: string): { priority?: number } {
  const p = priorityOf(kind);
  return p === undefined ? {} : { priority: p };
}
