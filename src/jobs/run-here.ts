import { RetryLaterError } from '../core/errors';
import type { Logger } from '../util/logger';
import { QUEUE_OF, type JobKind } from './kinds';
import type { OutgoingJob } from './queues';
import type { JobObserver } from './workers';

/** What a job run in the process that took it needs from the rest of the process. */
export interface RunHereDeps {
  /** Awaited before the job (AcksFirst.enter); what it returns is called when it is over. */
  enter: (kind: string) => Promise<() => void>;
  /** The job finished: its outbox row is done. */
  finished: (dedupeKey: string) => Promise<void>;
  /** Queues a job in Redis, as the relay would have. */
  queue: (job: OutgoingJob) => Promise<void>;
  observe?: JobObserver;
  logger: Logger;
}

/**
 * Runs `work` for `job` here as a worker would run it: after the acks-first gate, observed, and its
 * outbox row marked done once it finished. A failure goes to the job's queue (after the wait Slack
 * asked for), whose retries apply as to any job; the row stays unfinished until the queue's run.
 * `job.payload` carries its outbox key, so that run marks the row done.
 */
export async function runHere(deps: RunHereDeps, kind: JobKind, job: OutgoingJob, work: () => Promise<unknown>): Promise<void> {
  const leave = await deps.enter(kind);
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    await work();
    deps.observe?.(QUEUE_OF[kind], kind, 'completed', seconds());
    await deps.finished(job.dedupeKey).catch((err: Error) => deps.logger.warn({ job: kind, err }, 'could not mark the outbox row done; the sweep will'));
  } catch (err) {
    deps.observe?.(QUEUE_OF[kind], kind, 'retry', seconds());
    deps.logger.warn({ job: kind, key: job.dedupeKey, err }, `${kind} failed here; its queue retries it`);
    const delayMs = err instanceof RetryLaterError ? err.afterMs : 0;
    await deps
      .queue({ ...job, delayMs })
      .catch((e: Error) => deps.logger.warn({ job: kind, err: e }, `could not queue the failed ${kind}; the overdue sweep will`));
  } finally {
    leave();
  }
}

/** The jobs running here, by outbox key: the sweep must not take them for lost. */
export class RunningHere {
  private readonly running = new Map<string, Promise<void>>();
  stopped = false;

  has(dedupeKey: string): boolean {
    return this.running.has(dedupeKey);
  }

  get size(): number {
    return this.running.size;
  }

  add(dedupeKey: string, run: Promise<void>): void {
    this.running.set(
      dedupeKey,
      run.finally(() => this.running.delete(dedupeKey)),
    );
  }

  /** Takes no more; waits for the jobs running, never longer than `waitMs`. */
  async stop(waitMs: number): Promise<void> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([Promise.allSettled([...this.running.values()]), late]);
    clearTimeout(timer);
  }
}
