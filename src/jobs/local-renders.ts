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
 * (or with renders in line) leaves their rows relayed, due and unfinished with no job in Redis: the
 * relay's overdue sweep, every few seconds in any process, queues them again.
 *
 * At most `budget` run at once, beside the chat queue's own eight: each render holds one pooled
 * connection (its lock, its reads and its saves share it) while it waits on Slack, and the pool of
 * 30 (runtime.ts) must keep room for the requests' own writes. Past the budget, up to `lineMax`
 * wait here for a slot, first come first served: a render takes tens of milliseconds, and under
 * twenty clicks in flight the queue's path (Redis, then a worker, often in another process) was
 * the slow tail. Past the line, renders go to the queue.
 */
export class LocalRenders {
  private readonly running = new RunningHere();
  private readonly reserved = new Set<string>();
  /** Relayed, waiting for a slot, oldest first (a Map keeps insertion order). */
  private readonly line = new Map<string, OutgoingJob>();
  /** Renders holding a slot. Not `running.size`: a render leaves that only after its slot is handed on. */
  private active = 0;

  constructor(
    private readonly deps: LocalRenderDeps,
    private readonly budget = 12,
    private readonly lineMax = 36,
  ) {}

  /** Whether this process takes `job` itself; a taken job must then be `start`ed or `release`d. */
  reserve(job: OutgoingJob): boolean {
    if (this.running.stopped || job.kind !== KIND || job.delayMs > 0) return false;
    if (this.reserved.size + this.active + this.line.size >= this.budget + this.lineMax || this.has(job.dedupeKey)) return false;
    this.reserved.add(job.dedupeKey);
    return true;
  }

  /** The relay's transaction did not commit: the row was not relayed, so nothing runs here. */
  release(dedupeKey: string): void {
    this.reserved.delete(dedupeKey);
  }

  /** Runs a reserved job, once the relay committed its row as relayed: now, or when a slot frees. */
  start(job: OutgoingJob): void {
    if (!this.reserved.delete(job.dedupeKey)) return;
    if (this.running.stopped) return void this.toQueue([job]);
    this.line.set(job.dedupeKey, job);
    this.next();
  }

  private next(): void {
    const handler = this.deps.handler;
    for (const [key, job] of this.line) {
      if (this.active >= this.budget || this.running.stopped) return;
      this.line.delete(key);
      this.active++;
      const run = runHere(this.deps, KIND, job, () => handler(JOB_KINDS[KIND].payload.parse(job.payload), { attempt: 1, final: false }));
      this.running.add(
        key,
        run.finally(() => {
          this.active--;
          this.next();
        }),
      );
    }
  }

  /** A job of this key is running or waiting here: its row is unfinished but not lost. */
  has(dedupeKey: string): boolean {
    return this.reserved.has(dedupeKey) || this.line.has(dedupeKey) || this.running.has(dedupeKey);
  }

  /** Takes no more, hands the line to the queue, and waits for the renders running, never longer than `waitMs`. */
  async stop(waitMs = 3_000): Promise<void> {
    const stopping = this.running.stop(waitMs);
    const waiting = [...this.line.values()];
    this.line.clear();
    await Promise.all([stopping, this.toQueue(waiting)]);
  }

  /** What cannot run here goes to the queue; if Redis is away too, the overdue sweep queues it later. */
  private async toQueue(jobs: OutgoingJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await Promise.all(jobs.map((job) => this.deps.queue(job))).catch((err: Error) =>
      this.deps.logger.warn({ err, renders: jobs.length }, 'could not queue the renders waiting here; the overdue sweep will'),
    );
  }
}
