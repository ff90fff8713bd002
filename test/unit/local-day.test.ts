import { isOverdue, localDay } from '../../src/core/incident/local-day';

describe('localDay', () => {
  it('is the calendar day in the zone, not in UTC', () => {
    // 23:30 UTC on the 9th is 08:30 on the 10th in Tokyo and 18:30 on the 9th in New York.
    const at = new Date('2026-03-09T23:30:00Z');
    expect(localDay(at, 'UTC')).toBe('2026-03-09');
    expect(localDay(at, 'Asia/Tokyo')).toBe('2026-03-10');
    expect(localDay(at, 'America/New_York')).toBe('2026-03-09');
  });

  it('turns at local midnight on both sides of a DST change (Europe/Berlin)', () => {
    // Spring forward on 2026-03-29: midnight is 23:00 UTC the day before (CET, +1).
    expect(localDay(new Date('2026-03-28T22:59:59Z'), 'Europe/Berlin')).toBe('2026-03-28');
    expect(localDay(new Date('2026-03-28T23:00:00Z'), 'Europe/Berlin')).toBe('2026-03-29');
    // The next midnight comes 23 hours later, at 22:00 UTC (CEST, +2).
    expect(localDay(new Date('2026-03-29T21:59:59Z'), 'Europe/Berlin')).toBe('2026-03-29');
    expect(localDay(new Date('2026-03-29T22:00:00Z'), 'Europe/Berlin')).toBe('2026-03-30');
    // Fall back on 2026-10-25: that day lasts 25 hours, from 22:00 UTC on the 24th to 23:00 UTC on the 25th.
    expect(localDay(new Date('2026-10-24T22:00:00Z'), 'Europe/Berlin')).toBe('2026-10-25');
    expect(localDay(new Date('2026-10-25T22:59:59Z'), 'Europe/Berlin')).toBe('2026-10-25');
    expect(localDay(new Date('2026-10-25T23:00:00Z'), 'Europe/Berlin')).toBe('2026-10-26');
  });
});

describe('isOverdue', () => {
  const item = (dueOn: string | null, closedAt: Date | null = null) => ({ dueOn, closedAt });

  it('is overdue from the local day after the due day, across the DST change', () => {
    const due = item('2026-03-29');
    expect(isOverdue(due, new Date('2026-03-29T21:59:59Z'), 'Europe/Berlin')).toBe(false);
    expect(isOverdue(due, new Date('2026-03-29T22:00:00Z'), 'Europe/Berlin')).toBe(true);
    // In UTC the same instant is still the 29th.
    expect(isOverdue(due, new Date('2026-03-29T22:00:00Z'), 'UTC')).toBe(false);
  });

  it('never counts a done item or one without a due day', () => {
    const late = new Date('2030-01-01T00:00:00Z');
    expect(isOverdue(item('2026-03-29', new Date('2026-03-30T00:00:00Z')), late, 'UTC')).toBe(false);
    expect(isOverdue(item(null), late, 'UTC')).toBe(false);
  });
});
