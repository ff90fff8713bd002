import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { PermanentError, RetryLaterError } from '../core/errors';
import type { JobAttempt } from '../core/ports';
import type { Logger } from '../util/logger';
import { isJobKind, JOB_KINDS, OUTBOX_KEY, QUEUE_NAMES, queueOf, type JobKind, type JobPayload, type QueueName } from './kinds';
import { QUEUE_POLICIES } from './queues';

export type Handler<K extends JobKind> = (payload: JobPayload<K>, attempt: JobAttempt) => Promise<void>;
export type Handlers = { [K in JobKind]?: Handler<K> };

export interface JobObserver {
  (queue: QueueName, kind: string, outcome: 'completed' | 'failed' | 'retry', seconds: number): void;
}

export interface WorkerHooks {
  observe?: JobObserver;
  /** The job finished for good (completed, or failed with no retry left): its outbox row is done. */
  finished?: (dedupeKey: string) => Promise<void>;
  /**
   * Awaited before each job: lets requests being answered in this process go first. What it
   * returns is called when the job is over, whatever its outcome.
   */
  beforeJob?: (kind: string) => Promise<(() => void) | void>;
}

/** How a worker of `queue` runs its jobs: its concurrency and how fast a dead worker's jobs move on. */
export function workerOptions(queue: QueueName): { concurrency: number; lockDuration: number; stalledInterval: number; maxStalledCount: number } {
  return {
    concurrency: QUEUE_POLICIES[queue].concurrency,
    // A worker killed mid-job holds its lock until it expires: keep that short, so another
    // worker picks the job up within seconds. Jobs are idempotent, so a rare double run is safe.
    lockDuration: 6_000,
    stalledInterval: 3_000,
    maxStalledCount: 3,
  };
}

/** Rate-limit waits do not use up attempts; past this many starts, a job fails like any other. */
const MAX_STARTS = 30;

/**
 * Runs handlers for the job kinds given, one BullMQ worker per queue that has any. Handlers get
 * a checked payload and {attempt, final}, never BullMQ's types; a PermanentError or a payload
 * that does not match its schema stops the retries at once.
 */
export function createWorkers(connection: () => Redis, prefix: string, handlers: Handlers, logger: Logger, hooks: WorkerHooks = {}): Worker[] {
  const queues = QUEUE_NAMES.filter((q) => Object.keys(handlers).some((k) => queueOf(k) === q));
  return queues.map((queue) => {
    const worker = new Worker(queue, (job, token) => run(queue, job, token, handlers, hooks, logger), {
      connection: connection(),
      prefix,
      ...workerOptions(queue),
    });
    worker.on('failed', (job, err) => {
      logger.error(
        { queue, job: job?.name, jobId: job?.id, incidentId: job?.data?.incidentId, platform: job?.data?.platform, attempt: job?.attemptsMade, err },
        'job failed',
      );
    });
    worker.on('error', (err) => logger.error({ queue, err }, 'worker error'));
    return worker;
  });
}

async function run(queue: QueueName, job: Job, token: string | undefined, handlers: Handlers, hooks: WorkerHooks, logger: Logger): Promise<void> {
  const started = performance.now();
  const attempt: JobAttempt = { attempt: job.attemptsMade + 1, final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) };
  const key = typeof job.data?.[OUTBOX_KEY] === 'string' ? (job.data[OUTBOX_KEY] as string) : null;
  const done = async () => {
    if (key)
      await hooks.finished?.(key).catch((err: Error) => logger.warn({ queue, job: job.name, err }, 'could not mark the outbox row done; the sweep will'));
  };
  let leave: (() => void) | void = undefined;
  try {
    leave = await hooks.beforeJob?.(job.name);
    if (!isJobKind(job.name)) throw new UnrecoverableError(`no handler for job kind "${job.name}"`);
    const handler = handlers[job.name] as Handler<JobKind> | undefined;
    // A kind nobody handles will never succeed; retrying it only hides the bug.
    if (!handler) throw new UnrecoverableError(`no handler for job kind "${job.name}"`);
    const parsed = JOB_KINDS[job.name].payload.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`bad payload for ${job.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    await handler(parsed.data as never, attempt);
    hooks.observe?.(queue, job.name, 'completed', (performance.now() - started) / 1000);
    await done();
  } catch (err) {
    if (err instanceof RetryLaterError && token && (job.attemptsStarted ?? 0) < MAX_STARTS) {
      // Slack said when to come back: wait exactly that, without spending one of the attempts.
      hooks.observe?.(queue, job.name, 'retry', (performance.now() - started) / 1000);
      await job.moveToDelayed(Date.now() + err.afterMs, token);
      throw new DelayedError();
    }
    const permanent = err instanceof PermanentError || err instanceof UnrecoverableError;
    hooks.observe?.(queue, job.name, permanent || attempt.final ? 'failed' : 'retry', (performance.now() - started) / 1000);
    if (permanent || attempt.final) await done();
    if (err instanceof PermanentError) throw new UnrecoverableError(err.message);
    throw err;
  } finally {
    leave?.();
  }
}
