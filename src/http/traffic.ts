/**
 * Requests in flight on the bot's HTTP server, and who wants to hear when they are all answered.
 * The jobs run in the same process read it to let acks go first (src/jobs/acks-first.ts).
 */
export class Traffic {
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  started(): void {
    this.inFlight++;
  }

  finished(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0) for (const w of this.waiters.splice(0)) w();
  }

  /** Whether a request is being answered right now. */
  busy(): boolean {
    return this.inFlight > 0;
  }

  /** Resolves when no request is in flight, or after `maxMs` at the latest: nothing starves. */
  whenQuiet(maxMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
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
    });
  }
}
