import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { PermanentError } from '../core/errors';
import type { JobAttempt } from '../core/ports';
import type { Logger } from '../logger';
import { isJobKind, JOB_KINDS, QUEUE_NAMES, queueOf, type JobKind, type JobPayload, type QueueName } from './kinds';
import { QUEUE_POLICIES } from './queues';

export type Handler<K extends JobKind> = (payload: JobPayload<K>, attempt: JobAttempt) => Promise<void>;
export type Handlers = { [K in JobKind]?: Handler<K> };

export interface JobObserver {
  (queue: QueueName, kind: string, outcome: 'completed' | 'failed' | 'retry', seconds: number): void;
}

/**
 * Runs handlers for the job kinds given, one BullMQ worker per queue that has any. Handlers get
 * a checked payload and {attempt, final}, never BullMQ's types; a PermanentError or a payload
 * that does not match its schema stops the retries at once.
 */
export function createWorkers(connection: () => Redis, prefix: string, handlers: Handlers, logger: Logger, observe?: JobObserver): Worker[] {
  const queues = QUEUE_NAMES.filter((q) => Object.keys(handlers).some((k) => queueOf(k) === q));
  return queues.map((queue) => {
    const worker = new Worker(queue, (job) => run(queue, job, handlers, observe), {
      connection: connection(),
      prefix,
      concurrency: QUEUE_POLICIES[queue].concurrency,
    });
    worker.on('failed', (job, err) => {
      logger.error(
        { queue, job: job?.name, jobId: job?.id, incidentId: job?.data?.incidentId, platform: job?.data?.platform, attempt: job?.attemptsMade, err: err.message },
        'job failed',
      );
    });
    worker.on('error', (err) => logger.error({ queue, err: err.message }, 'worker error'));
    return worker;
  });
}

async function run(queue: QueueName, job: Job, handlers: Handlers, observe?: JobObserver): Promise<void> {
  const started = performance.now();
  const attempt: JobAttempt = { attempt: job.attemptsMade + 1, final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) };
  try {
    if (!isJobKind(job.name)) throw new UnrecoverableError(`no handler for job kind "${job.name}"`);
    const handler = handlers[job.name] as Handler<JobKind> | undefined;
    // A kind nobody handles will never succeed; retrying it only hides the bug.
    if (!handler) throw new UnrecoverableError(`no handler for job kind "${job.name}"`);
    const parsed = JOB_KINDS[job.name].payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad payload for ${job.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    await handler(parsed.data as never, attempt);
    observe?.(queue, job.name, 'completed', (performance.now() - started) / 1000);
  } catch (err) {
    const permanent = err instanceof PermanentError || err instanceof UnrecoverableError;
    observe?.(queue, job.name, permanent || attempt.final ? 'failed' : 'retry', (performance.now() - started) / 1000);
    if (err instanceof PermanentError) throw new UnrecoverableError(err.message);
    throw err;
  }
}
