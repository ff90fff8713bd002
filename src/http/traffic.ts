/**
 * Requests in flight on the bot's HTTP server, and who wants to hear when they are all answered.
 * The jobs run in the same process read it to let acks go first (src/jobs/acks-first.ts).
 *
 * The server counts as busy for `quietAfterMs` after its last answer, not only while a request is
 * being answered: under a burst from many clients the count touches zero between two requests,
 * and every job held back for quiet would start in that gap, in the middle of the burst.
 */
export class Traffic {
  private inFlight = 0;
  private lastAnswered = -Infinity;
  private waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly quietAfterMs = 30) {}

  started(): void {
    this.inFlight++;
  }

  finished(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.lastAnswered = performance.now();
    if (this.inFlight === 0) this.wakeWhenQuiet();
  }

  /** Whether a request is being answered right now, or was a moment ago. */
  busy(): boolean {
    return this.inFlight > 0 || performance.now() - this.lastAnswered < this.quietAfterMs;
  }

  /** Resolves when the server is quiet, or after `maxMs` at the latest: nothing starves. */
  whenQuiet(maxMs: number): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxMs);
      timer.unref();
      const waiters = this.waiters;
      function done() {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      this.waiters.push(done);
      if (this.inFlight === 0) this.wakeWhenQuiet();
    });
  }

  private wakeWhenQuiet(): void {
    if (this.timer || this.waiters.length === 0) return;
    const check = () => {
      this.timer = null;
      if (this.inFlight > 0) return; // finished() looks again
      const left = this.lastAnswered + this.quietAfterMs - performance.now();
      if (left > 0) {
        this.timer = setTimeout(check, left + 1);
        this.timer.unref();
        return;
      }
      for (const w of this.waiters.splice(0)) w();
    };
    check();
  }
}
