import type { JobPayload, NewJob } from '../core/jobs';
import type { Logger } from '../util/logger';
import { JOB_KINDS, OUTBOX_KEY, QUEUE_OF } from './kinds';
import type { OutgoingJob } from './queues';
import type { JobObserver } from './workers';

const KIND = 'incident.declare';

/** What a declare made here needs from the rest of the process. */
export interface LocalDeclareDeps {
  declare: (payload: JobPayload<typeof KIND>) => Promise<unknown>;
  /** Awaited before the declare (AcksFirst.enter): acks of requests in flight go first. */
  enter: (kind: string) => Promise<() => void>;
  /** The declare is made: its outbox row is done. */
  finished: (dedupeKey: string) => Promise<void>;
  /** Queues a job in Redis, as the relay would have. */
  queue: (job: OutgoingJob) => Promise<void>;
  observe?: JobObserver;
  logger: Logger;
}

/**
 * Makes the declares this process recorded before its ack (core/incident/accept-declare.ts), in
 * this process, after the acks of the requests in flight. Nothing is less durable for it: the
 * recorded row stays unfinished until the declare is made. A declare that fails here goes to the
 * queue, whose retries apply; one cut short by a crash is found by the overdue sweep of any process
 * once its grace is over, and queued for a worker. A second run finds the incident the first made.
 */
export class LocalDeclares {
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly deps: LocalDeclareDeps) {}

  /** Starts a recorded declare; with the process stopping, it is left to the sweep. */
  start(job: NewJob): void {
    if (this.stopped || job.kind !== KIND || this.running.has(job.dedupeKey)) return;
    const run = this.run(job).finally(() => this.running.delete(job.dedupeKey));
    this.running.set(job.dedupeKey, run);
  }

  /** A declare of this key is waiting or running here: its row is unfinished but not lost. */
  has(dedupeKey: string): boolean {
    return this.running.has(dedupeKey);
  }

  /** Takes no more; waits for the declares running, never longer than `waitMs`. */
  async stop(waitMs = 3_000): Promise<void> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([Promise.allSettled([...this.running.values()]), late]);
    clearTimeout(timer);
  }

  private async run(job: NewJob & { kind: typeof KIND }): Promise<void> {
    const { deps } = this;
    const leave = await deps.enter(KIND);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      await deps.declare(JOB_KINDS[KIND].payload.parse(job.payload));
      deps.observe?.(QUEUE_OF[KIND], KIND, 'completed', seconds());
      await deps.finished(job.dedupeKey).catch((err: Error) => deps.logger.warn({ job: KIND, err }, 'could not mark the outbox row done; the sweep will'));
    } catch (err) {
      deps.observe?.(QUEUE_OF[KIND], KIND, 'retry', seconds());
      deps.logger.warn({ job: KIND, incidentId: job.payload.id, err }, 'declare failed here; the queue retries it');
      await deps
        .queue({ kind: KIND, payload: { ...job.payload, [OUTBOX_KEY]: job.dedupeKey }, dedupeKey: job.dedupeKey, delayMs: 0 })
        .catch((e: Error) => deps.logger.warn({ job: KIND, err: e }, 'could not queue the failed declare; the overdue sweep will'));
    } finally {
      leave();
    }
  }
}
