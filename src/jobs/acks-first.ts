/** What the scheduler needs to know of the HTTP server (src/http/traffic.ts fits it); jobs/ does not import http/. */
export interface RequestsInFlight {
  busy(): boolean;
  whenQuiet(maxMs: number): Promise<void>;
}

/**
 * Kinds someone is looking at the screen for: a click's re-rendered checklist. They never wait for
 * the HTTP server to go quiet, which under steady clicks it never does.
 */
const WATCHED: ReadonlySet<string> = new Set(['chat.render']);

/**
 * Background kinds someone is waiting for: the incident a Slack declare recorded, its channel and
 * its pages. Held back like the rest, they are first in line: never behind a backlog of probes.
 */
const FIRST_IN_LINE: ReadonlySet<string> = new Set(['incident.declare', 'chat.provision', 'escalation.due', 'chat.escalate']);

interface Waiter {
  since: number;
  first: boolean;
  go(): void;
}

/**
 * Acks first, without parking what people wait for. A job of a watched kind starts after one
 * turn of the event loop, so requests whose bytes already arrived are answered before it. Other
 * (background) jobs share a small budget while requests are in flight: `budget` of them run at
 * once and the rest wait their turn (first come first served, FIRST_IN_LINE kinds ahead of the
 * others), until a slot frees or the server goes quiet. So that none starves under traffic that never stops, the oldest waiter goes past the
 * budget once it has waited `maxWaitMs`, one at a time: a burst of requests longer than `maxWaitMs`
 * never has every held job start at once in its middle. With no request in flight every job
 * starts at once.
 */
export class AcksFirst {
  private running = 0;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private listening = false;

  constructor(
    private readonly traffic: RequestsInFlight,
    private readonly budget = 1,
    private readonly maxWaitMs = 500,
  ) {}

  /** Awaited before a job of `kind`; the function it returns is called once the job is over. */
  async enter(kind: string): Promise<() => void> {
    if (WATCHED.has(kind)) {
      await new Promise((r) => setImmediate(r));
      return () => undefined;
    }
    if (this.queue.length === 0 && this.mayStart(performance.now())) this.running++;
    // pump() counts it as running when it lets it go, so the next in line sees the slot taken.
    else await new Promise<void>((go) => (this.line({ since: performance.now(), first: FIRST_IN_LINE.has(kind), go }), this.pump()));
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.running--;
      this.pump();
    };
  }

  /** Puts a waiter in line: behind every waiter of its own rank, ahead of any of a lower one. */
  private line(w: Waiter): void {
    const behind = w.first ? this.queue.findIndex((q) => !q.first) : -1;
    if (behind < 0) this.queue.push(w);
    else this.queue.splice(behind, 0, w);
  }

  /** Whether the job that has waited since `since` may start now. */
  private mayStart(since: number): boolean {
    if (!this.traffic.busy() || this.running < this.budget) return true;
    // One past the budget, for a job that has waited long enough; never more.
    return this.running === this.budget && performance.now() - since >= this.maxWaitMs;
  }

  /** Starts waiters while they may start, then arranges to look again when that can change. */
  private pump(): void {
    while (this.queue.length > 0 && this.mayStart(this.queue[0]!.since)) {
      this.running++;
      this.queue.shift()!.go();
    }
    if (this.queue.length === 0) return;
    // Once the head has waited long enough, only a job ending or quiet can let it go: no timer.
    const due = this.queue[0]!.since + this.maxWaitMs - performance.now();
    if (!this.timer && due > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, due + 1);
      this.timer.unref();
    }
    if (!this.listening) {
      this.listening = true;
      void this.traffic.whenQuiet(this.maxWaitMs).then(() => {
        this.listening = false;
        this.pump();
      });
    }
  }
}
