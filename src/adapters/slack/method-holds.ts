/**
 * Slack's Retry-After applies to the method (per workspace token), not to the one call that met
 * it: until it passes, every other call of that method would be refused too and only lengthen
 * the wait. This remembers the time per method and refuses calls locally meanwhile.
 * Per process: another worker process meets the limit once itself and then holds too.
 */
export class MethodHolds {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Throws a rate-limited error, shaped like the Slack SDK's, while `key` is held. */
  check(key: string, method: string): void {
    const until = this.until.get(key);
    if (until === undefined) return;
    const left = until - this.now();
    if (left <= 0) {
      this.until.delete(key);
      return;
    }
    throw Object.assign(new Error(`${method} is rate limited for another ${Math.ceil(left / 1000)} s (held locally)`), {
      code: 'slack_webapi_rate_limited_error',
      retryAfter: left / 1000,
    });
  }

  /** Holds `key` if `err` is Slack's rate limit with a Retry-After. */
  record(key: string, err: unknown): void {
    const retryAfter = (err as { retryAfter?: unknown })?.retryAfter;
    if (typeof retryAfter !== 'number' || !(retryAfter > 0)) return;
    const until = this.now() + retryAfter * 1000;
    if (until > (this.until.get(key) ?? 0)) this.until.set(key, until);
  }
}
