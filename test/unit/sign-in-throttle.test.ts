import { SignInThrottle } from '../../src/adapters/console/throttle';

describe('SignInThrottle', () => {
  it('locks an address out after 5 failures within the window, doubling each time up to the cap', () => {
    const t = new SignInThrottle({ lockMs: 1_000, maxLockMs: 4_000 });
    let now = 0;
    const fiveWrong = () => [1, 2, 3, 4, 5].map(() => t.failed('10.0.0.1', (now += 10)));
    expect(fiveWrong()).toEqual([0, 0, 0, 0, 1_000]);
    expect(t.wait('10.0.0.1', now)).toBe(1_000);
    expect(t.wait('10.0.0.2', now)).toBe(0);
    now += 1_000;
    expect(fiveWrong().at(-1)).toBe(2_000);
    now += 2_000;
    expect(fiveWrong().at(-1)).toBe(4_000);
    now += 4_000;
    expect(fiveWrong().at(-1)).toBe(4_000);
    t.succeeded('10.0.0.1');
    expect(t.wait('10.0.0.1', now)).toBe(0);
  });

  it('counts failures in a sliding minute only', () => {
    const t = new SignInThrottle();
    for (let i = 0; i < 20; i++) expect(t.failed('10.0.0.1', i * 15_000)).toBe(0); // 4 a minute
  });

  it('remembers a bounded number of addresses, forgetting the least recent, and forgets quiet ones', () => {
    const t = new SignInThrottle({ failures: 1, lockMs: 1_000, maxLockMs: 1_000, maxEntries: 3 });
    for (const a of ['a', 'b', 'c', 'd']) t.failed(a, 0);
    expect(['a', 'b', 'c', 'd'].map((a) => t.wait(a, 0))).toEqual([0, 1_000, 1_000, 1_000]);
    t.failed('e', 5_000); // the others were quiet for over twice the longest lock-out: swept
    expect((t as unknown as { entries: Map<string, unknown> }).entries.size).toBe(1);
  });
});
