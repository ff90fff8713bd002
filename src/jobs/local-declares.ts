import type { JobPayload, NewJob } from '../core/jobs';
import { JOB_KINDS, OUTBOX_KEY } from './kinds';
import { RunningHere, runHere, type RunHereDeps } from './run-here';

const KIND = 'incident.declare';

/** What a declare made here needs from the rest of the process. */
export interface LocalDeclareDeps extends RunHereDeps {
  declare: (payload: JobPayload<typeof KIND>) => Promise<unknown>;
}

/**
 * Makes the declares this process recorded before its ack (core/incident/accept-declare.ts), in
 * this process, after the acks of the requests in flight (the acks-first gate). Nothing is less
 * durable for it: the recorded row stays unfinished until the declare is made. A declare that fails
 * here goes to the queue, whose retries apply; one cut short by a crash is found by the overdue
 * sweep of any process once its grace is over, and queued for a worker. A second run finds the
 * incident the first made.
 */
export class LocalDeclares {
  private readonly running = new RunningHere();

  constructor(private readonly deps: LocalDeclareDeps) {}

  /** Starts a recorded declare; with the process stopping, it is left to the sweep. */
  start(job: NewJob): void {
    if (this.running.stopped || job.kind !== KIND || this.running.has(job.dedupeKey)) return;
    const { declare } = this.deps;
    const outgoing = { kind: KIND, payload: { ...job.payload, [OUTBOX_KEY]: job.dedupeKey }, dedupeKey: job.dedupeKey, delayMs: 0 };
    this.running.add(
      job.dedupeKey,
      runHere(this.deps, KIND, outgoing, () => declare(JOB_KINDS[KIND].payload.parse(job.payload))),
    );
  }

  /** A declare of this key is waiting or running here: its row is unfinished but not lost. */
  has(dedupeKey: string): boolean {
    return this.running.has(dedupeKey);
  }

  /** Takes no more; waits for the declares running, never longer than `waitMs`. */
  stop(waitMs = 3_000): Promise<void> {
    return this.running.stop(waitMs);
  }
}
