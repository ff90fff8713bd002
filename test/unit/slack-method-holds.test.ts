import { forJobs } from '../../src/adapters/slack/errors';
import { MethodHolds } from '../../src/adapters/slack/method-holds';
import { RetryLaterError } from '../../src/core/errors';

describe('a Retry-After holds the method it came from', () => {
  let now = 0;
  const holds = new MethodHolds(() => now);
  const limited = Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 30 });

  it('refuses other calls of that method until it passes, as a wait of the time left', () => {
    holds.record('T1|chat.update', limited);
    now = 10_000;
    let refused: unknown;
    try {
      holds.check('T1|chat.update', 'chat.update');
    } catch (err) {
      refused = forJobs(err);
    }
    expect(refused).toBeInstanceOf(RetryLaterError);
    expect((refused as RetryLaterError).afterMs).toBe(20_000);
    expect(() => holds.check('T1|chat.postMessage', 'chat.postMessage')).not.toThrow();
    expect(() => holds.check('T2|chat.update', 'chat.update')).not.toThrow();
    now = 30_000;
    expect(() => holds.check('T1|chat.update', 'chat.update')).not.toThrow();
  });

  it('ignores errors that are not rate limits', () => {
    holds.record('T1|chat.postMessage', new Error('socket hang up'));
    expect(() => holds.check('T1|chat.postMessage', 'chat.postMessage')).not.toThrow();
  });
});
