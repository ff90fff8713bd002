/**
 * Requests in flight on the bot's HTTP server. Background work (the jobs run in the same process)
 * waits a moment while requests are being answered, so a burst of declares or clicks is acked
 * first and set up right after, instead of both slowing each other down.
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

  /** Resolves when no request is in flight, or after `maxMs` at the latest: nothing starves. */
  whenQuiet(maxMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxMs);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}
