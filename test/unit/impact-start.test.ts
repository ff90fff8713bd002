import { readSlackMention } from '../../src/adapters/slack/commands';
import { parseCommand } from '../../src/core/commands/parse';
import { UserError } from '../../src/core/errors';
import { alertImpactStart, decideImpactStart, parseTypedTime, typedInstant } from '../../src/core/incident/impact-start';
import { makeIncident, makeSnapshot, COMMANDER } from '../support/factories';

const read = (text: string) => parseCommand(text, readSlackMention);

describe('/incident started <time>', () => {
  it('reads a wall-clock time, a date and time, or an ISO instant with its offset; refuses anything else', () => {
    expect(read('started 02:40')).toEqual({ kind: 'started', time: { kind: 'local', date: null, hour: 2, minute: 40 } });
    expect(read('started 2026-12-05 2:40')).toEqual({ kind: 'started', time: { kind: 'local', date: '2026-12-05', hour: 2, minute: 40 } });
    expect(read('started 2026-12-05T02:40')).toEqual({ kind: 'started', time: { kind: 'local', date: '2026-12-05', hour: 2, minute: 40 } });
    expect(read('started 2026-12-05T02:40:00+01:00')).toEqual({ kind: 'started', time: { kind: 'instant', at: new Date('2026-12-05T01:40:00Z') } });
    expect(read('started 2026-12-05T01:40Z')).toEqual({ kind: 'started', time: { kind: 'instant', at: new Date('2026-12-05T01:40:00Z') } });
    for (const bad of ['started', 'started 24:00', 'started 02:60', 'started 2026-02-30 02:40', 'started yesterday', 'started 02:40 pm']) {
      expect(() => read(bad)).toThrow(UserError);
    }
    expect(parseTypedTime('2026-12-05T02:40:00+0100')).toEqual({ kind: 'instant', at: new Date('2026-12-05T01:40:00Z') });
  });

  it('reads a bare time as the one nearest the declaration, in the team zone, across midnight and daylight saving', () => {
    const local = (t: string) => parseTypedTime(t)!;
    // Declared 00:10 Berlin: 23:50 is the evening before.
    expect(typedInstant(local('23:50'), 'Europe/Berlin', new Date('2026-12-04T23:10:00Z'))).toEqual(new Date('2026-12-04T22:50:00Z'));
    // Declared 03:00 Berlin: 03:10 is ten minutes after, not yesterday.
    expect(typedInstant(local('03:10'), 'Europe/Berlin', new Date('2026-12-05T02:00:00Z'))).toEqual(new Date('2026-12-05T02:10:00Z'));
    // Summer time (UTC+2) in July, a date named.
    expect(typedInstant(local('2026-07-01 12:00'), 'Europe/Berlin', new Date('2026-07-01T11:00:00Z'))).toEqual(new Date('2026-07-01T10:00:00Z'));
    // New York, after the clocks went back on 1 Nov 2026: UTC−5.
    expect(typedInstant(local('2026-11-02 08:00'), 'America/New_York', new Date('2026-11-02T14:00:00Z'))).toEqual(new Date('2026-11-02T13:00:00Z'));
  });

  it('records the start with an event; refuses one after the declaration or over 30 days before; the same time again changes nothing', () => {
    const declaredAt = new Date('2026-12-05T01:54:00Z');
    const s = makeSnapshot({ incident: makeIncident({ declaredAt }) });
    const actor = { id: COMMANDER, inChannel: true, isAdmin: false };
    const at = new Date('2026-12-05T02:10:00Z');
    const start = new Date('2026-12-05T01:40:00Z');
    const change = decideImpactStart(s, start, actor, at, 'Europe/Berlin');
    expect(change.incident).toEqual({ impactStartedAt: start });
    expect(change.events).toEqual([expect.objectContaining({ kind: 'impact.start_set', actor: COMMANDER, data: { from: null, to: start.toISOString() } })]);
    expect(() => decideImpactStart(s, new Date('2026-12-05T01:55:00Z'), actor, at, 'UTC')).toThrow(
      expect.objectContaining({ problem: expect.objectContaining({ code: 'impact_start', reason: 'after_declaration' }) }),
    );
    expect(() => decideImpactStart(s, new Date('2026-11-04T01:53:00Z'), actor, at, 'UTC')).toThrow(
      expect.objectContaining({ problem: expect.objectContaining({ code: 'impact_start', reason: 'too_early' }) }),
    );
    // Exactly at the declaration, and exactly 30 days before, are allowed.
    expect(decideImpactStart(s, declaredAt, actor, at, 'UTC').events).toHaveLength(1);
    expect(decideImpactStart(s, new Date('2026-11-05T01:54:00Z'), actor, at, 'UTC').events).toHaveLength(1);
    const set = makeSnapshot({ incident: makeIncident({ declaredAt, impactStartedAt: start }) });
    expect(decideImpactStart(set, start, actor, at, 'UTC')).toEqual({ events: [] });
  });
});

describe("an alert's starts_at as the impact start", () => {
  const declared = new Date('2026-12-05T03:00:00Z');
  it('keeps a start before the declaration, however early; reads a few minutes late as the declaration; leaves out a later one', () => {
    expect(alertImpactStart(null, declared)).toBeNull();
    expect(alertImpactStart(new Date('2026-12-05T02:41:00Z'), declared)).toEqual(new Date('2026-12-05T02:41:00Z'));
    expect(alertImpactStart(new Date('2026-09-01T00:00:00Z'), declared)).toEqual(new Date('2026-09-01T00:00:00Z'));
    expect(alertImpactStart(new Date('2026-12-05T03:04:00Z'), declared)).toEqual(declared);
    expect(alertImpactStart(new Date('2026-12-05T03:06:00Z'), declared)).toBeNull();
  });
});
