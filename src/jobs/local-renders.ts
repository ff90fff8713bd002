import { JOB_KINDS } from './kinds';
import type { OutgoingJob } from './queues';
import { RunningHere, runHere, type RunHereDeps } from './run-here';
import type { Handler } from './workers';

const KIND = 'chat.render';

/** What a render run here needs from the rest of the process. */
export interface LocalRenderDeps extends RunHereDeps {
  handler: Handler<typeof KIND>;
}

/**
 * A click's re-render, run in the process that relayed it instead of going through Redis: the
 * person who clicked waits for it, and the round trip through BullMQ (add, fetch, finish) cost
 * more than the render's own queries on a busy two-core machine.
 *
 * Nothing is less durable for it. The outbox row is marked relayed in the relay's transaction, as
 * for any job, and done only when the render finished. A render that fails is handed to the queue,
 * whose retries, backoff and Slack's Retry-After apply as to any job. A process that dies mid-render
 * leaves its row relayed, due and unfinished with no job in Redis: the relay's overdue sweep, every
 * few seconds in any process, queues it again.
 *
 * At most `budget` at once, beside the chat queue's own eight: each render holds one pooled
 * connection (its lock, its reads and its saves share it) while it waits on Slack, and the pool of
 * 30 (runtime.ts) must keep room for the requests' own writes. Past the budget, renders go to the
 * queue, a slower path (Redis, then a worker): twelve covers twenty clicks in flight.
 */
export class LocalRenders {
  private readonly running = new RunningHere();
  private readonly reserved = new Set<string>();

  constructor(
    private readonly deps: LocalRenderDeps,
    private readonly budget = 12,
  ) {}

  /** Whether this process takes `job` itself; a taken job must then be `start`ed or `release`d. */
  reserve(job: OutgoingJob): boolean {
    if (this.running.stopped || job.kind !== KIND || job.delayMs > 0) return false;
    if (this.reserved.size + this.running.size >= this.budget || this.has(job.dedupeKey)) return false;
    this.reserved.add(job.dedupeKey);
    return true;
  }

  /** The relay's transaction did not commit: the row was not relayed, so nothing runs here. */
  release(dedupeKey: string): void {
    this.reserved.delete(dedupeKey);
  }

  /** Runs a reserved job, once the relay committed its row as relayed. */
  start(job: OutgoingJob): void {
    if (!this.reserved.delete(job.dedupeKey)) return;
    const handler = this.deps.handler;
    this.running.add(
      job.dedupeKey,
      runHere(this.deps, KIND, job, () => handler(JOB_KINDS[KIND].payload.parse(job.payload), { attempt: 1, final: false })),
    );
  }

  /** A job of this key is running here: its row is unfinished but not lost. */
  has(dedupeKey: string): boolean {
    return this.reserved.has(dedupeKey) || this.running.has(dedupeKey);
  }

  /** Takes no more; waits for the renders running, never longer than `waitMs`. */
  stop(waitMs = 3_000): Promise<void> {
    return this.running.stop(waitMs);
  }
}
