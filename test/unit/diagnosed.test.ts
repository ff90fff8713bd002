import { parseCommand } from '../../src/core/commands/parse';
import { UserError } from '../../src/core/errors';
import { decideDiagnosed } from '../../src/core/incident/diagnose';
import type { Actor } from '../../src/core/model';
import { headerView } from '../../src/core/render/views';
import { INCIDENT_ID, makeRunbook, makeSnapshot } from '../support/factories';

// The cause found outside the checklist: a command and a header button record the diagnosed
// milestone, once, as the step marked `diagnosed` would.

const AT = new Date('2025-03-07T09:24:00Z');
const responder: Actor = { id: 'URESP0001', isAdmin: false, inChannel: true };
const outsider: Actor = { id: 'UOUTS0001', isAdmin: false, inChannel: false };
const noMention = () => null;

describe('recording the cause by hand', () => {
  it('records diagnosed_at with the cause, and does not acknowledge the incident', () => {
    const change = decideDiagnosed(makeSnapshot({ status: 'declared' }), responder, AT, 'command', 'stale CDN path after the deploy');
    expect(change.incident).toEqual({ diagnosedAt: AT });
    expect(change.events.map((e) => [e.kind, e.data, e.key])).toEqual([
      ['incident.diagnosed', { via: 'command', cause: 'stale CDN path after the deploy' }, `${INCIDENT_ID}:diagnosed`],
    ]);
  });

  it('changes nothing when the cause was recorded before, and refuses outsiders and ended incidents', () => {
    expect(decideDiagnosed(makeSnapshot({ status: 'acknowledged', incident: { diagnosedAt: AT } }), responder, AT, 'button').events).toEqual([]);
    expect(() => decideDiagnosed(makeSnapshot({ status: 'acknowledged' }), outsider, AT, 'button')).toThrow(UserError);
    expect(() => decideDiagnosed(makeSnapshot({ status: 'resolved' }), responder, AT, 'button')).toThrow(UserError);
  });

  it('offers Cause identified on the header until the cause is recorded', () => {
    const labels = (diagnosedAt: Date | null) =>
      headerView(makeSnapshot({ status: 'acknowledged', incident: { diagnosedAt } }), makeRunbook()).actions.map((a) => a.label);
    expect(labels(null)).toContain('Cause identified');
    expect(labels(AT)).not.toContain('Cause identified');
  });
});

describe('the commands', () => {
  it('reads diagnosed with its cause, and mttr with a window of 7, 30 or 90 days', () => {
    expect(parseCommand('diagnosed stale CDN path', noMention)).toEqual({ kind: 'diagnosed', note: 'stale CDN path' });
    expect(parseCommand('cause', noMention)).toEqual({ kind: 'diagnosed' });
    expect(parseCommand('mttr', noMention)).toEqual({ kind: 'mttr', days: 30 });
    expect(parseCommand('mttr 7d', noMention)).toEqual({ kind: 'mttr', days: 7 });
    expect(parseCommand('mttr 90', noMention)).toEqual({ kind: 'mttr', days: 90 });
    expect(() => parseCommand('mttr 12d', noMention)).toThrow(UserError);
  });
});
