import path from 'node:path';
import type { IncidentAction } from '../../src/core/errors';
import { acknowledgeChange, decideAcknowledge } from '../../src/core/incident/acknowledge';
import { decideCommander } from '../../src/core/incident/assign-commander';
import { decideCancel } from '../../src/core/incident/cancel';
import { requireManager, requireOpen, requireParticipant } from '../../src/core/incident/guards';
import { decideMitigate } from '../../src/core/incident/mitigate';
import type { Actor, Snapshot, Status } from '../../src/core/model';
import { decideResolve } from '../../src/core/incident/resolve';
import { decideSeverity } from '../../src/core/incident/set-severity';
import { decideStep } from '../../src/core/incident/set-step';
import type { Change } from '../../src/core/ports';
import { loadCatalog } from '../../src/core/runbook/loader';
import type { Runbook } from '../../src/core/runbook/schema';
import { COMMANDER, DECLARER, INCIDENT_ID, makeIncident, makeRunbook, makeSnapshot } from '../support/factories';
import { refusal } from '../support/refusals';

// Pure decisions: every test builds a snapshot by hand and looks only at the Change (or the
// refusal) that comes back. Nothing here touches a database or a chat platform.

const EARLIER = new Date('2025-03-07T09:20:00Z');
const AT = new Date('2025-03-07T09:42:00Z');

/** Someone in the incident channel who is neither commander, declarer nor admin. */
const responder: Actor = { id: 'URESP0001', isAdmin: false, inChannel: true };
/** Someone who never joined the incident channel. */
const outsider: Actor = { id: 'UOUTS0001', isAdmin: false, inChannel: false };
const commander: Actor = { id: COMMANDER, isAdmin: false, inChannel: true };
const declarer: Actor = { id: DECLARER, isAdmin: false, inChannel: true };
/** Admins manage incidents from anywhere, so this one is deliberately not in the channel. */
const admin: Actor = { id: 'UADMN0001', isAdmin: true, inChannel: false };

const ENDED: Array<'resolved' | 'cancelled'> = ['resolved', 'cancelled'];
const OPEN: Status[] = ['declared', 'acknowledged', 'mitigated'];

const runbook = makeRunbook();

const kinds = (c: Change) => c.events.map((e) => e.kind);
const ackEvent = (c: Change) => c.events.find((e) => e.kind === 'incident.acknowledged');

/** Every decision, called the way a user would trigger it, for the checks they share. */
const ACTIONS: Array<{ action: IncidentAction; decide: (s: Snapshot, actor: Actor) => Change }> = [
  { action: 'acknowledge', decide: (s, a) => decideAcknowledge(s, a, AT, 'button') },
  { action: 'mitigate', decide: (s, a) => decideMitigate(s, a, AT) },
  { action: 'resolve', decide: (s, a) => decideResolve(s, a, AT, 'summary') },
  { action: 'cancel', decide: (s, a) => decideCancel(s, a, AT, 'by mistake') },
  { action: 'set_severity', decide: (s, a) => decideSeverity(s, 1, a, AT) },
  { action: 'set_commander', decide: (s, a) => decideCommander(s, 'UNEWC0001', a, AT) },
  { action: 'tick_steps', decide: (s, a) => decideStep(s, runbook, { stepId: 'look', to: 'done', actor: a }, AT) },
];

describe('an incident that has ended', () => {
  // Cancelling a cancelled incident and resolving a resolved one are repeats, not refusals (below).
  const refused = ACTIONS.flatMap(({ action, decide }) =>
    ENDED.filter((status) => !(action === 'cancel' && status === 'cancelled') && !(action === 'resolve' && status === 'resolved')).map(
      (status) => [action, status, decide] as const,
    ),
  );

  it.each(refused)('refuses %s on a %s incident, even for an admin, and says it has ended', (action, status, decide) => {
    // An admin in the channel passes every other guard, so only the ended check can refuse.
    const powerful: Actor = { ...admin, inChannel: true };
    expect(refusal(() => decide(makeSnapshot({ status }), powerful))).toEqual({
      code: 'ended',
      incident: 'INC-42',
      status,
      action,
      runbook: 'pdf-404',
    });
  });

  it('refuses to cancel a resolved incident, so it cannot leave the MTTR report after the fact', () => {
    for (const actor of [commander, declarer, admin]) {
      expect(refusal(() => decideCancel(makeSnapshot({ status: 'resolved' }), actor, AT))).toMatchObject({
        code: 'ended',
        status: 'resolved',
        action: 'cancel',
      });
    }
  });

  it('refuses to resolve a cancelled incident', () => {
    expect(refusal(() => decideResolve(makeSnapshot({ status: 'cancelled' }), commander, AT))).toMatchObject({
      code: 'ended',
      status: 'cancelled',
      action: 'resolve',
    });
  });

  it('refuses ticking or reopening steps once resolved or cancelled', () => {
    for (const status of ENDED) {
      expect(refusal(() => decideStep(makeSnapshot({ status }), runbook, { stepId: 'look', to: 'done', actor: responder }, AT))).toMatchObject({
        code: 'ended',
        status,
        action: 'tick_steps',
      });
      expect(
        refusal(() => decideStep(makeSnapshot({ status, done: ['look'] }), runbook, { stepId: 'look', to: 'open', actor: commander, requestId: 'r1' }, AT)),
      ).toMatchObject({ code: 'ended', status, action: 'tick_steps' });
    }
  });

  it('treats cancelling twice and resolving twice as harmless repeats that record nothing', () => {
    expect(decideCancel(makeSnapshot({ status: 'cancelled' }), commander, AT)).toEqual({ events: [] });
    expect(decideResolve(makeSnapshot({ status: 'resolved' }), commander, AT, 'again')).toEqual({ events: [] });
    // Even from someone who could not have done it in the first place: a repeat changes nothing.
    expect(decideCancel(makeSnapshot({ status: 'cancelled' }), outsider, AT)).toEqual({ events: [] });
    expect(decideResolve(makeSnapshot({ status: 'resolved' }), outsider, AT)).toEqual({ events: [] });
  });
});

describe('guards', () => {
  it('requireOpen lets every open status through', () => {
    for (const status of OPEN) expect(() => requireOpen(makeIncident({ status }), 'resolve')).not.toThrow();
  });

  it('requireManager lets the commander, the declarer and any admin through', () => {
    for (const actor of [commander, declarer, admin]) expect(() => requireManager(actor, makeIncident(), 'resolve')).not.toThrow();
  });

  it('requireParticipant only cares whether the person is in the channel, not who they are', () => {
    expect(() => requireParticipant(responder, makeIncident(), 'mitigate')).not.toThrow();
    expect(refusal(() => requireParticipant({ ...admin, inChannel: false }, makeIncident(), 'mitigate'))).toEqual({
      code: 'not_participant',
      incident: 'INC-42',
      action: 'mitigate',
      channel: 'C00000001',
    });
  });

  it('names the incident channel in a participant refusal, or none while it is not open yet', () => {
    expect(refusal(() => requireParticipant(outsider, makeIncident({ channelId: null }), 'acknowledge'))).toMatchObject({ channel: null });
  });

  it('lists the commander, the declarer and admins as the people who may act instead', () => {
    expect(refusal(() => requireManager(responder, makeIncident(), 'resolve'))).toEqual({
      code: 'not_allowed',
      incident: 'INC-42',
      action: 'resolve',
      can: [{ role: 'commander', user: COMMANDER }, { role: 'declarer', user: DECLARER }, { role: 'admin' }],
    });
  });

  it('names the declarer once when they are also the commander', () => {
    expect(refusal(() => requireManager(responder, makeIncident({ commander: DECLARER }), 'cancel'))).toMatchObject({
      can: [{ role: 'commander', user: DECLARER }, { role: 'admin' }],
    });
  });

  it('names only the declarer and admins while nobody is commander', () => {
    expect(refusal(() => requireManager(responder, makeIncident({ commander: null }), 'cancel'))).toMatchObject({
      can: [{ role: 'declarer', user: DECLARER }, { role: 'admin' }],
    });
  });
});

describe('decideAcknowledge', () => {
  it('records who acknowledged, when, and how, and moves the incident to acknowledged', () => {
    expect(decideAcknowledge(makeSnapshot({ status: 'declared' }), responder, AT, 'button')).toEqual({
      incident: { status: 'acknowledged', acknowledgedAt: AT, acknowledgedVia: 'button' },
      events: [{ kind: 'incident.acknowledged', actor: responder.id, at: AT, data: { via: 'button' }, key: `${INCIDENT_ID}:acknowledged` }],
    });
  });

  it('refuses someone who is not in the incident channel', () => {
    expect(refusal(() => decideAcknowledge(makeSnapshot({ status: 'declared' }), outsider, AT, 'command'))).toEqual({
      code: 'not_participant',
      incident: 'INC-42',
      action: 'acknowledge',
      channel: 'C00000001',
    });
  });

  it('does nothing the second time, so the first acknowledgement stands', () => {
    expect(decideAcknowledge(makeSnapshot({ status: 'acknowledged' }), responder, AT, 'button')).toEqual({ events: [] });
    expect(decideAcknowledge(makeSnapshot({ status: 'mitigated' }), commander, AT, 'command')).toEqual({ events: [] });
  });

  it('acknowledges a mitigated incident nobody acknowledged, keeping it mitigated', () => {
    const s = makeSnapshot({ status: 'mitigated', incident: { acknowledgedAt: null } });
    expect(decideAcknowledge(s, responder, AT, 'button').incident).toEqual({ acknowledgedAt: AT, acknowledgedVia: 'button' });
  });

  it('acknowledgeChange records nothing once acknowledged', () => {
    for (const status of ['acknowledged', 'mitigated', 'resolved'] as Status[]) {
      expect(acknowledgeChange(makeSnapshot({ status }), responder, AT, 'declare')).toEqual({ events: [] });
    }
  });
});

describe('working the incident is not acknowledging it', () => {
  const actions: Array<[string, (s: Snapshot) => Change]> = [
    ['resolving', (s) => decideResolve(s, commander, AT)],
    ['mitigating', (s) => decideMitigate(s, responder, AT)],
    ['changing severity', (s) => decideSeverity(s, 1, declarer, AT)],
    ['handing over command', (s) => decideCommander(s, 'UNEWC0001', admin, AT)],
    ['ticking a step', (s) => decideStep(s, runbook, { stepId: 'look', to: 'done', actor: responder }, AT)],
  ];

  it.each(actions)('%s on a declared incident records what was done, and no acknowledgement', (_, act) => {
    const change = act(makeSnapshot({ status: 'declared' }));
    expect(change.events.length).toBeGreaterThan(0);
    expect(ackEvent(change)).toBeUndefined();
    expect(change.incident?.acknowledgedAt).toBeUndefined();
  });

  it('ticking a step on a declared incident leaves it declared', () => {
    const change = decideStep(makeSnapshot({ status: 'declared' }), runbook, { stepId: 'look', to: 'done', actor: responder }, AT);
    expect(change.incident).toEqual({});
  });
});

describe('decideCommander', () => {
  it.each([
    ['the commander', commander],
    ['the declarer', declarer],
    ['an admin outside the channel', admin],
  ])('lets %s hand over command', (_, actor) => {
    const change = decideCommander(makeSnapshot({ status: 'acknowledged', incident: { version: 3 } }), 'UNEWC0001', actor, AT);
    expect(change).toEqual({
      incident: { commander: 'UNEWC0001' },
      events: [
        {
          kind: 'incident.commander_changed',
          actor: actor.id,
          at: AT,
          data: { from: COMMANDER, to: 'UNEWC0001' },
          key: `${INCIDENT_ID}:commander:v3`,
        },
      ],
    });
  });

  it('refuses anyone else, even in the channel, and names who may', () => {
    expect(refusal(() => decideCommander(makeSnapshot({ status: 'acknowledged' }), responder.id, responder, AT))).toEqual({
      code: 'not_allowed',
      incident: 'INC-42',
      action: 'set_commander',
      can: [{ role: 'commander', user: COMMANDER }, { role: 'declarer', user: DECLARER }, { role: 'admin' }],
    });
  });

  it('lets the declarer take command while nobody has it', () => {
    const change = decideCommander(makeSnapshot({ status: 'acknowledged', incident: { commander: null } }), DECLARER, declarer, AT);
    expect(change.events[0]?.data).toEqual({ from: null, to: DECLARER });
  });

  it('records nothing when the person is already the commander', () => {
    expect(decideCommander(makeSnapshot({ status: 'declared' }), COMMANDER, commander, AT)).toEqual({ events: [] });
  });

  it('keys each handover by incident version, so a later handover back is recorded too', () => {
    const first = decideCommander(makeSnapshot({ status: 'acknowledged', incident: { version: 3 } }), 'UNEWC0001', commander, AT);
    const back = decideCommander(makeSnapshot({ status: 'acknowledged', incident: { version: 4, commander: 'UNEWC0001' } }), COMMANDER, declarer, AT);
    expect(first.events[0]?.key).toBe(`${INCIDENT_ID}:commander:v3`);
    expect(back.events[0]?.key).toBe(`${INCIDENT_ID}:commander:v4`);
  });
});

describe('decideCancel', () => {
  it.each([
    ['the commander', commander],
    ['the declarer', declarer],
    ['an admin', admin],
  ])('lets %s cancel an open incident, with the reason', (_, actor) => {
    for (const status of OPEN) {
      expect(decideCancel(makeSnapshot({ status }), actor, AT, '  declared by mistake  ')).toEqual({
        incident: { status: 'cancelled', cancelledAt: AT },
        events: [{ kind: 'incident.cancelled', actor: actor.id, at: AT, data: { reason: 'declared by mistake' }, key: `${INCIDENT_ID}:cancelled` }],
        jobs: [], // no webhook was triggered, so none is told
      });
    }
  });

  it('records no reason when none or only blanks were given', () => {
    expect(decideCancel(makeSnapshot({ status: 'declared' }), commander, AT).events[0]?.data).toEqual({ reason: null });
    expect(decideCancel(makeSnapshot({ status: 'declared' }), commander, AT, '   ').events[0]?.data).toEqual({ reason: null });
  });

  it('refuses a responder who is neither commander, declarer nor admin', () => {
    expect(refusal(() => decideCancel(makeSnapshot({ status: 'acknowledged' }), responder, AT))).toMatchObject({ code: 'not_allowed', action: 'cancel' });
  });

  it('does not acknowledge: a cancelled incident was never worked', () => {
    expect(ackEvent(decideCancel(makeSnapshot({ status: 'declared' }), commander, AT))).toBeUndefined();
  });
});

describe('decideMitigate', () => {
  it('lets anyone in the channel say impact has stopped', () => {
    expect(decideMitigate(makeSnapshot({ status: 'acknowledged' }), responder, AT)).toEqual({
      incident: { status: 'mitigated', mitigatedAt: AT },
      events: [{ kind: 'incident.mitigated', actor: responder.id, at: AT, data: { via: 'command' }, key: `${INCIDENT_ID}:mitigated` }],
    });
  });

  it('refuses someone outside the incident channel, even an admin', () => {
    expect(refusal(() => decideMitigate(makeSnapshot({ status: 'acknowledged' }), admin, AT))).toMatchObject({
      code: 'not_participant',
      action: 'mitigate',
      channel: 'C00000001',
    });
  });

  it('ends as mitigated, not acknowledged, when it is the first action', () => {
    const change = decideMitigate(makeSnapshot({ status: 'declared' }), responder, AT);
    expect(change.incident).toEqual({ status: 'mitigated', mitigatedAt: AT });
  });

  it('records nothing when already mitigated', () => {
    expect(decideMitigate(makeSnapshot({ status: 'mitigated' }), responder, AT)).toEqual({ events: [] });
  });

  it('keeps an earlier mitigation time rather than moving it later', () => {
    const change = decideMitigate(makeSnapshot({ status: 'acknowledged', incident: { mitigatedAt: EARLIER } }), responder, AT);
    expect(change.incident?.mitigatedAt).toBe(EARLIER);
  });
});

describe('decideResolve', () => {
  it.each([
    ['the commander', commander],
    ['the declarer', declarer],
    ['an admin outside the channel', admin],
  ])('lets %s resolve with a summary', (_, actor) => {
    expect(decideResolve(makeSnapshot({ status: 'mitigated' }), actor, AT, '  rolled back documents-api ')).toEqual({
      incident: { status: 'resolved', resolvedAt: AT, resolution: 'rolled back documents-api' },
      events: [{ kind: 'incident.resolved', actor: actor.id, at: AT, data: { summary: 'rolled back documents-api' }, key: `${INCIDENT_ID}:resolved` }],
      jobs: [],
    });
  });

  it('stores no resolution when no summary was given', () => {
    expect(decideResolve(makeSnapshot({ status: 'acknowledged' }), commander, AT).incident?.resolution).toBeNull();
    expect(decideResolve(makeSnapshot({ status: 'acknowledged' }), commander, AT, ' ').incident?.resolution).toBeNull();
  });

  it('refuses a responder who is neither commander, declarer nor admin', () => {
    expect(refusal(() => decideResolve(makeSnapshot({ status: 'mitigated' }), responder, AT))).toEqual({
      code: 'not_allowed',
      incident: 'INC-42',
      action: 'resolve',
      can: [{ role: 'commander', user: COMMANDER }, { role: 'declarer', user: DECLARER }, { role: 'admin' }],
    });
  });
});

describe('decideSeverity', () => {
  it.each([0, 5, -1, 2.5, Number.NaN])('refuses severity %p: it is a whole number from 1 to 4', (sev) => {
    expect(refusal(() => decideSeverity(makeSnapshot({ status: 'acknowledged' }), sev, commander, AT))).toEqual({
      code: 'invalid_input',
      field: 'severity',
    });
  });

  it.each([
    ['the commander', commander],
    ['the declarer', declarer],
    ['an admin', admin],
  ])('lets %s change the severity, recording from and to', (_, actor) => {
    expect(decideSeverity(makeSnapshot({ status: 'acknowledged', incident: { version: 3 } }), 1, actor, AT)).toEqual({
      incident: { severity: 1 },
      events: [{ kind: 'incident.severity_changed', actor: actor.id, at: AT, data: { from: 2, to: 1 }, key: `${INCIDENT_ID}:severity:v3` }],
      // A rise to SEV1 is also said in the announce channel, keyed by the version it makes.
      jobs: [
        {
          kind: 'chat.announce',
          payload: { incidentId: INCIDENT_ID, platform: 'slack', from: 2, to: 1, version: 4 },
          dedupeKey: `${INCIDENT_ID}:announce:sev1:v4`,
          runAt: AT,
        },
      ],
    });
  });

  it('announces a rise to SEV1 or SEV2 only, never a lowering or a rise to SEV3', () => {
    const at = (from: number, to: number) =>
      decideSeverity(makeSnapshot({ status: 'acknowledged', incident: { severity: from, version: 3 } }), to, commander, AT).jobs ?? [];
    expect(at(3, 2).map((j) => j.dedupeKey)).toEqual([`${INCIDENT_ID}:announce:sev2:v4`]);
    expect(at(4, 1).map((j) => j.dedupeKey)).toEqual([`${INCIDENT_ID}:announce:sev1:v4`]);
    expect(at(1, 2)).toEqual([]);
    expect(at(4, 3)).toEqual([]);
    expect(at(2, 4)).toEqual([]);
  });

  it('refuses a responder who is neither commander, declarer nor admin', () => {
    expect(refusal(() => decideSeverity(makeSnapshot({ status: 'acknowledged' }), 1, responder, AT))).toMatchObject({
      code: 'not_allowed',
      action: 'set_severity',
    });
  });

  it('records nothing when the severity is unchanged', () => {
    expect(decideSeverity(makeSnapshot({ status: 'declared' }), 2, commander, AT)).toEqual({ events: [] });
  });
});

describe('decideStep', () => {
  const tick = (s: Snapshot, stepId: string, extra: { to?: 'done' | 'open'; actor?: Actor; requestId?: string } = {}) =>
    decideStep(s, runbook, { stepId, to: extra.to ?? 'done', actor: extra.actor ?? responder, requestId: extra.requestId }, AT);

  it('marks a step done by whoever clicked, keyed by the click so a replay records nothing new', () => {
    expect(tick(makeSnapshot({ status: 'acknowledged' }), 'look', { requestId: '1741340520.123456' })).toEqual({
      steps: [{ stepId: 'look', state: 'done', changedBy: responder.id, changedAt: AT }],
      events: [
        {
          kind: 'step.completed',
          actor: responder.id,
          at: AT,
          data: { step: 'look', title: 'Look at the logs' },
          key: `${INCIDENT_ID}:step:look:done:1741340520.123456`,
        },
      ],
      incident: {},
    });
  });

  it('keys a step change by incident version when the platform gave no request id', () => {
    expect(tick(makeSnapshot({ status: 'acknowledged', incident: { version: 7 } }), 'look').events[0]?.key).toBe(`${INCIDENT_ID}:step:look:done:v7`);
  });

  it('reopens a done step', () => {
    const change = tick(makeSnapshot({ status: 'acknowledged', done: ['look'] }), 'look', { to: 'open', requestId: 'r2' });
    expect(change.steps).toEqual([{ stepId: 'look', state: 'open', changedBy: responder.id, changedAt: AT }]);
    expect(change.events).toEqual([
      expect.objectContaining({ kind: 'step.reopened', data: { step: 'look', title: 'Look at the logs' }, key: `${INCIDENT_ID}:step:look:open:r2` }),
    ]);
  });

  it('records nothing for a double click: the step is already in the state asked for', () => {
    expect(tick(makeSnapshot({ status: 'acknowledged', done: ['look'] }), 'look', { to: 'done' })).toEqual({ events: [] });
    expect(tick(makeSnapshot({ status: 'acknowledged' }), 'look', { to: 'open' })).toEqual({ events: [] });
    // …and so it does not acknowledge a declared incident either.
    expect(tick(makeSnapshot({ status: 'declared' }), 'look', { to: 'open' })).toEqual({ events: [] });
  });

  it('refuses someone outside the incident channel, even the commander', () => {
    expect(refusal(() => tick(makeSnapshot({ status: 'acknowledged' }), 'look', { actor: { ...commander, inChannel: false } }))).toEqual({
      code: 'not_participant',
      incident: 'INC-42',
      action: 'tick_steps',
      channel: 'C00000001',
    });
  });

  it('refuses a step the incident does not have', () => {
    expect(refusal(() => tick(makeSnapshot({ status: 'acknowledged' }), 'no-such-step'))).toEqual({
      code: 'unknown_step',
      incident: 'INC-42',
      step: 'no-such-step',
    });
  });

  it('completing the step that marks diagnosed records the time to diagnose', () => {
    const change = tick(makeSnapshot({ status: 'acknowledged' }), 'cause', { requestId: 'r3' });
    expect(change.incident).toEqual({ diagnosedAt: AT });
    expect(kinds(change)).toEqual(['step.completed', 'incident.diagnosed']);
    expect(change.events[1]).toEqual({ kind: 'incident.diagnosed', actor: responder.id, at: AT, data: { step: 'cause' }, key: `${INCIDENT_ID}:diagnosed` });
  });

  it('completing the step that marks mitigated records the time to mitigate and moves the incident to mitigated', () => {
    const change = tick(makeSnapshot({ status: 'acknowledged' }), 'fix', { requestId: 'r4' });
    expect(change.incident).toEqual({ mitigatedAt: AT, status: 'mitigated' });
    expect(kinds(change)).toEqual(['step.completed', 'incident.mitigated']);
    expect(change.events[1]).toEqual({ kind: 'incident.mitigated', actor: responder.id, at: AT, data: { step: 'fix' }, key: `${INCIDENT_ID}:mitigated` });
  });

  it('a mitigating step as the first action mitigates without acknowledging', () => {
    const change = tick(makeSnapshot({ status: 'declared' }), 'fix');
    expect(change.incident).toEqual({ status: 'mitigated', mitigatedAt: AT });
    expect(kinds(change)).toEqual(['step.completed', 'incident.mitigated']);
  });

  it('does not record diagnosed twice when its step is reopened and done again', () => {
    const change = tick(makeSnapshot({ status: 'acknowledged', incident: { diagnosedAt: EARLIER } }), 'cause');
    expect(kinds(change)).toEqual(['step.completed']);
    expect(change.incident?.diagnosedAt).toBeUndefined();
  });

  it('does not record mitigated twice, nor change the status back, when its step is done again', () => {
    const change = tick(makeSnapshot({ status: 'mitigated' }), 'fix');
    expect(kinds(change)).toEqual(['step.completed']);
    expect(change.incident).toEqual({});
  });

  it('reopening a milestone step leaves the milestone recorded', () => {
    const change = tick(makeSnapshot({ status: 'mitigated', incident: { diagnosedAt: EARLIER }, done: ['cause', 'fix'] }), 'fix', { to: 'open' });
    expect(kinds(change)).toEqual(['step.reopened']);
    expect(change.incident).toEqual({});
  });

  it('a step no longer in the runbook can still be ticked, and marks nothing', () => {
    // The checklist lives in the database; a runbook edited since must not strand the incident.
    const edited: Runbook = { ...runbook, steps: runbook.steps.filter((s) => s.id !== 'fix') };
    const change = decideStep(makeSnapshot({ status: 'acknowledged' }), edited, { stepId: 'fix', to: 'done', actor: responder }, AT);
    expect(kinds(change)).toEqual(['step.completed']);
    expect(change.incident).toEqual({});
  });

  it('every shipped runbook has a diagnosing and a mitigating step that record their milestones', () => {
    const catalog = loadCatalog(path.resolve(__dirname, '../../playbooks'));
    expect(catalog.all.length).toBeGreaterThan(0);
    for (const shipped of catalog.all) {
      const s = makeSnapshot({ status: 'acknowledged', runbook: shipped });
      const diagnosing = shipped.steps.find((x) => x.marks === 'diagnosed');
      const mitigating = shipped.steps.find((x) => x.marks === 'mitigated');
      expect({ runbook: shipped.id, diagnosing: !!diagnosing, mitigating: !!mitigating }).toEqual({ runbook: shipped.id, diagnosing: true, mitigating: true });
      expect(kinds(decideStep(s, shipped, { stepId: diagnosing!.id, to: 'done', actor: responder }, AT))).toContain('incident.diagnosed');
      const mitigated = decideStep(s, shipped, { stepId: mitigating!.id, to: 'done', actor: responder }, AT);
      expect(mitigated.incident).toMatchObject({ status: 'mitigated', mitigatedAt: AT });
    }
  });
});
