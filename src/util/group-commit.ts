/**
 * Group commit: callers add one item each and wait for it to be written; items that arrive while
 * a write is in flight go together in the next one. An idle system writes each item at once (a
 * batch of one); a busy one writes many per round trip and per commit, without a timer that would
 * add latency. At most one write is in flight, so batches never race each other.
 */
export class GroupCommit<I, O> {
  private pending: Array<{ item: I; resolve: (o: O) => void; reject: (err: unknown) => void }> = [];
  private flushing = false;

  constructor(
    /** Writes the items in one go and returns one result per item, in order. */
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 200,
    /**
     * Whether a failed batch should be tried again item by item: true when the failure may be one
     * item's fault (a constraint it broke), so the others still get written.
     */
    private readonly splitOnError: (err: unknown) => boolean = () => false,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      // Not in this tick: items added by the same burst of callbacks share the first write.
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const out = await this.write(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(out[i]!));
      } catch (err) {
        if (batch.length > 1 && this.splitOnError(err)) {
          for (const b of batch) await this.write([b.item]).then((out) => b.resolve(out[0]!), b.reject);
        } else {
          batch.forEach((b) => b.reject(err));
        }
      }
    }
    this.flushing = false;
  }
}
