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
 * Acks first, without parking what people wait for. A job of a watched kind starts after one
 * turn of the event loop, so requests whose bytes already arrived are answered before it. Other
 * (background) jobs share a small budget while requests are in flight: `budget` of them run at
 * once, the rest wait for a slot, for quiet, or `maxWaitMs` at most, so none starves. With no
 * request in flight every job starts at once.
 */
export class AcksFirst {
  private running = 0;
  private readonly queue: Array<() => void> = [];

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
    if (this.traffic.busy() && this.running >= this.budget) await this.slot();
    this.running++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.running--;
      this.queue.shift()?.();
    };
  }

  /** Until a background slot frees, the server goes quiet, or `maxWaitMs` passed. */
  private slot(): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const go = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const i = this.queue.indexOf(go);
        if (i >= 0) this.queue.splice(i, 1);
        resolve();
      };
      const timer = setTimeout(go, this.maxWaitMs);
      timer.unref();
      this.queue.push(go);
      void this.traffic.whenQuiet(this.maxWaitMs).then(go);
    });
  }
}
