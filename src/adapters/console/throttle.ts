export interface ThrottleOptions {
  /** Failures allowed per window before the address is locked out. */
  failures?: number;
  windowMs?: number;
  /** The first lock-out; each one after it, before the address is forgotten, doubles. */
  lockMs?: number;
  maxLockMs?: number;
  /** Addresses remembered at most; the least recently seen go first. */
  maxEntries?: number;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
  lockouts: number;
  seen: number;
}

/**
 * Wrong sign-ins per client address: `failures` a window, then a lock-out that doubles each time.
 * While locked, the right token is refused too: otherwise a guesser would only need to notice
 * which answer differs. Per address means one behind a shared proxy locks out everyone there.
 */
export class SignInThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly o: Required<ThrottleOptions>;

  constructor(opts: ThrottleOptions = {}) {
    this.o = { failures: 5, windowMs: 60_000, lockMs: 60_000, maxLockMs: 3_600_000, maxEntries: 10_000, ...opts };
  }

  /** Milliseconds until `address` may try again; 0 when it may now. */
  wait(address: string, now: number): number {
    const e = this.entries.get(address);
    return e ? Math.max(0, e.lockedUntil - now) : 0;
  }

  /** Records a wrong token; returns the lock-out it starts (ms), or 0. */
  failed(address: string, now: number): number {
    this.forgetStale(now);
    const e = this.entries.get(address) ?? { failures: [], lockedUntil: 0, lockouts: 0, seen: now };
    this.entries.delete(address); // re-inserted last: the map's order is recency
    e.seen = now;
    e.failures = e.failures.filter((t) => now - t < this.o.windowMs);
    e.failures.push(now);
    let lock = 0;
    if (e.failures.length >= this.o.failures) {
      lock = Math.min(this.o.lockMs * 2 ** e.lockouts, this.o.maxLockMs);
      e.lockouts += 1;
      e.lockedUntil = now + lock;
      e.failures = [];
    }
    this.entries.set(address, e);
    while (this.entries.size > this.o.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return lock;
  }

  succeeded(address: string): void {
    this.entries.delete(address);
  }

  /**
   * An address quiet for twice the longest lock-out starts afresh: not just once a lock-out lapses,
   * or a guesser at the cap would get back to the shortest one by waiting it out.
   */
  private forgetStale(now: number): void {
    for (const [address, e] of this.entries) {
      // In order of last failure: the first recent one ends the sweep.
      if (now - e.seen <= 2 * this.o.maxLockMs) break;
      this.entries.delete(address);
    }
  }
}
