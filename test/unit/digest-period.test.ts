import { cronProblem, lastCompletePeriod, recentPeriods } from '../../src/digest/period';

describe('the digest period', () => {
  it('is the week that ended at the last Monday 09:00 in UTC', () => {
    expect(lastCompletePeriod('0 9 * * 1', 'UTC', new Date('2026-03-11T15:00:00Z'))).toEqual({
      start: new Date('2026-03-02T09:00:00Z'),
      end: new Date('2026-03-09T09:00:00Z'),
    });
  });

  it('reads the boundary in the time zone, across a DST change (a week one hour short)', () => {
    // Europe/Berlin moves to summer time on 29 March 2026: 09:00 is 08:00Z before, 07:00Z after.
    expect(lastCompletePeriod('0 9 * * 1', 'Europe/Berlin', new Date('2026-03-30T12:00:00Z'))).toEqual({
      start: new Date('2026-03-23T08:00:00Z'),
      end: new Date('2026-03-30T07:00:00Z'),
    });
  });

  it('counts a run at the boundary itself as after it', () => {
    expect(lastCompletePeriod('0 9 * * 1', 'UTC', new Date('2026-03-09T09:00:00Z')).end).toEqual(new Date('2026-03-09T09:00:00Z'));
    expect(lastCompletePeriod('0 9 * * 1', 'UTC', new Date('2026-03-09T08:59:59Z')).end).toEqual(new Date('2026-03-02T09:00:00Z'));
  });

  it('takes a six-field cron with seconds first', () => {
    expect(lastCompletePeriod('30 0 9 * * 1', 'UTC', new Date('2026-03-09T09:00:29Z')).end).toEqual(new Date('2026-03-02T09:00:30Z'));
    expect(lastCompletePeriod('30 0 9 * * 1', 'UTC', new Date('2026-03-09T09:00:30Z')).end).toEqual(new Date('2026-03-09T09:00:30Z'));
    expect(cronProblem('30 0 9 * * 1')).toBeNull();
  });

  it('lists the recent periods oldest first, each ending where the next starts', () => {
    const weeks = recentPeriods('0 9 * * 1', 'UTC', new Date('2026-03-11T15:00:00Z'), 3);
    expect(weeks.map((w) => [w.start.toISOString().slice(0, 10), w.end.toISOString().slice(0, 10)])).toEqual([
      ['2026-02-16', '2026-02-23'],
      ['2026-02-23', '2026-03-02'],
      ['2026-03-02', '2026-03-09'],
    ]);
  });

  it('refuses expressions that are not a five- or six-field cron', () => {
    expect(cronProblem('0 9 * *')).toMatch(/4 field/);
    expect(cronProblem('0 9 * * 8')).not.toBeNull();
    expect(cronProblem('@weekly')).not.toBeNull();
  });
});
