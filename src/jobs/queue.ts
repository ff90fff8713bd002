import { Queue, Worker, UnrecoverableError, type Job } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import type { Logger } from '../logger';

/** One queue carries every job kind; the job name is the outbox kind. */
export const QUEUE_NAME = 'incident-jobs';

export type JobHandler = (payload: Record<string, unknown>, job: Job) => Promise<void>;

export function createRedis(url: string): Redis {
  // BullMQ workers block on Redis; it requires maxRetriesPerRequest: null on their connections.
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export function createQueue(connection: Redis, prefix: string): Queue {
  return new Queue(QUEUE_NAME, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 6,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: { count: 1_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

export function createWorker(
  connection: Redis,
  prefix: string,
  handlers: Record<string, JobHandler>,
  logger: Logger,
  concurrency = 8,
): Worker {
  const worker = new Worker(
    QUEUE_NAME,
    async (job) => {
      const handler = handlers[job.name];
      // A kind nobody handles will never succeed; retrying it only hides the bug.
      if (!handler) throw new UnrecoverableError(`no handler for job kind "${job.name}"`);
      await handler(job.data as Record<string, unknown>, job);
    },
    { connection, prefix, concurrency },
  );
  worker.on('failed', (job, err) => {
    logger.error(
      {
        job: job?.name,
        jobId: job?.id,
        incidentId: job?.data?.incidentId,
        platform: job?.data?.platform,
        attempt: job?.attemptsMade,
        err: err.message,
      },
      'job failed',
    );
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'worker error'));
  return worker;
}
