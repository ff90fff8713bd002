import { decideEscalation, escalationDueJob, firstLevelJob, nextLevel, webhookResolveJobs } from '../../src/core/incident/escalation';
import { decideSeverity } from '../../src/core/incident/set-severity';
import { decideStep } from '../../src/core/incident/set-step';
import { escalationNotice } from '../../src/core/render/notices';
import type { Actor, FiredLevel, Snapshot } from '../../src/core/model';
import { decideResolve } from '../../src/core/incident/resolve';
import { plainText } from '../../src/core/text/text';
import { escalationLadder } from '../../src/core/render/views';
import { DECLARED_AT, INCIDENT_ID, makeRunbook, makeSnapshot } from '../support/factories';
import { refusal } from '../support/refusals';

// The on-call ladder, decided from stored state: a level fires when it is due and nobody has
// acknowledged, once; a person can step up by hand; the end of the incident stops it.

const runbook = makeRunbook({
  escalation: [
    { after: '5m', notify: ['@oncall-documents'] },
    { after: '15m', notify: ['@documents-lead', '#eng-incidents', 'webhook:pagerduty'] },
    { after: '30m', notify: ['@head-of-engineering'] },
  ],
});
const at = (min: number) => new Date(DECLARED_AT.getTime() + min * 60_000);
const responder: Actor = { id: 'URESP0001', isAdmin: false, inChannel: true };
const outsider: Actor = { id: 'UOUTS0001', isAdmin: false, inChannel: false };
const fired = (level: number, min: number, by: string | null = null): FiredLevel => ({
  level,
  targets: runbook.escalation[level - 1]!.notify,
  reason: by ? 'manual' : 'timeout',
  at: at(min),
  by,
  note: null,
});
const withLevels = (s: Snapshot, ...levels: FiredLevel[]): Snapshot => ({ ...s, escalations: levels });

describe('the ladder firing by itself', () => {
  it('schedules level 1 with the declare, at its time after the declaration', () => {
    expect(escalationDueJob({ id: INCIDENT_ID, declaredAt: DECLARED_AT }, runbook, 1)).toEqual({
      kind: 'escalation.due',
      payload: { incidentId: INCIDENT_ID, level: 1 },
      dedupeKey: `${INCIDENT_ID}:escalation:1:due`,
      runAt: at(5),
    });
    expect(escalationDueJob({ id: INCIDENT_ID, declaredAt: DECLARED_AT }, runbook, 4)).toBeNull();
  });

  it('fires a due level nobody acknowledged: the record, the event, its deliveries and the next level', () => {
    const change = decideEscalation(withLevels(makeSnapshot({ status: 'declared' }), fired(1, 5)), runbook, at(15), { kind: 'timeout', level: 2 });
    expect(change.escalation).toEqual({
      level: 2,
      targets: ['@documents-lead', '#eng-incidents', 'webhook:pagerduty'],
      reason: 'timeout',
      at: at(15),
      by: null,
      note: null,
    });
    expect(change.events).toEqual([
      {
        kind: 'escalation.fired',
        actor: 'incident-bot',
        at: at(15),
        data: { level: 2, targets: ['@documents-lead', '#eng-incidents', 'webhook:pagerduty'], reason: 'timeout' },
        key: `${INCIDENT_ID}:escalation:2`,
      },
    ]);
    expect(change.jobs!.map((j) => [j.kind, j.payload, j.runAt])).toEqual([
      ['chat.escalate', { incidentId: INCIDENT_ID, platform: 'slack', level: 2 }, at(15)],
      ['webhook.call', { incidentId: INCIDENT_ID, webhook: 'pagerduty', action: 'trigger', level: 2 }, at(15)],
      ['escalation.due', { incidentId: INCIDENT_ID, level: 3 }, at(30)],
    ]);
  });

  it('stops at the first acknowledgement, at the end of the incident, and never fires a level twice', () => {
    const due = { kind: 'timeout' as const, level: 1 };
    expect(decideEscalation(makeSnapshot({ status: 'acknowledged' }), runbook, at(5), due).events).toEqual([]);
    expect(decideEscalation(makeSnapshot({ status: 'resolved' }), runbook, at(5), due).events).toEqual([]);
    expect(decideEscalation(makeSnapshot({ status: 'cancelled' }), runbook, at(5), due).events).toEqual([]);
    expect(decideEscalation(withLevels(makeSnapshot({ status: 'declared' }), fired(1, 5)), runbook, at(5), due).events).toEqual([]);
  });

  it('keeps the next level at its own time since the declare when this one fired late', () => {
    // Level 1 (due at 5 min) fired at 12 min, its job lost with Redis: level 2 is still due at 15, not 22.
    const late = decideEscalation(makeSnapshot({ status: 'declared' }), runbook, at(12), { kind: 'timeout', level: 1 });
    expect(late.jobs!.find((j) => j.kind === 'escalation.due')).toMatchObject({ payload: { level: 2 }, runAt: at(15) });
    // Fired later than level 2's own time: level 2 is overdue, so it runs at once.
    const later = decideEscalation(makeSnapshot({ status: 'declared' }), runbook, at(20), { kind: 'timeout', level: 1 });
    expect(later.jobs!.find((j) => j.kind === 'escalation.due')).toMatchObject({ payload: { level: 2 }, runAt: at(15) });
    expect(nextLevel(withLevels(makeSnapshot({ status: 'declared' }), fired(1, 12)), runbook)).toMatchObject({ level: 2, due: at(15) });
  });

  it('schedules nothing after the last level', () => {
    const change = decideEscalation(withLevels(makeSnapshot({ status: 'declared' }), fired(1, 5), fired(2, 15)), runbook, at(30), {
      kind: 'timeout',
      level: 3,
    });
    expect(change.jobs!.map((j) => j.kind)).toEqual(['chat.escalate']);
  });
});

describe('escalating by hand', () => {
  it('fires the next level now, records who asked and why, and does not acknowledge: the ladder goes on', () => {
    const change = decideEscalation(makeSnapshot({ status: 'declared' }), runbook, at(2), {
      kind: 'manual',
      actor: responder,
      note: 'need the documents lead',
    });
    expect(change.escalation).toMatchObject({ level: 1, reason: 'manual', by: responder.id, note: 'need the documents lead' });
    expect(change.events.map((e) => e.kind)).toEqual(['escalation.fired']);
    expect(change.incident?.acknowledgedAt).toBeUndefined();
    // Level 2 keeps its own time since the declare (15 min): stepping up by hand moves nothing.
    expect(change.jobs!.find((j) => j.kind === 'escalation.due')).toMatchObject({ payload: { level: 2 }, runAt: at(15) });
    const later = decideEscalation(withLevels(makeSnapshot({ status: 'acknowledged' }), fired(1, 5)), runbook, at(40), {
      kind: 'manual',
      actor: responder,
      note: null,
    });
    expect(later.escalation?.level).toBe(2);
    // Level 3 was due at 30 min: it runs at once, and finds the incident acknowledged.
    expect(later.jobs!.find((j) => j.kind === 'escalation.due')).toMatchObject({ payload: { level: 3 }, runAt: at(30) });
  });

  it('refuses someone outside the incident channel, an ended incident, and a ladder already at the top', () => {
    expect(
      refusal(() => decideEscalation(makeSnapshot({ status: 'declared' }), runbook, at(2), { kind: 'manual', actor: outsider, note: null })),
    ).toMatchObject({
      code: 'not_participant',
      action: 'escalate',
    });
    expect(
      refusal(() => decideEscalation(makeSnapshot({ status: 'resolved' }), runbook, at(2), { kind: 'manual', actor: responder, note: null })),
    ).toMatchObject({
      code: 'ended',
    });
    const top = withLevels(makeSnapshot({ status: 'acknowledged' }), fired(1, 5), fired(2, 15), fired(3, 30));
    expect(refusal(() => decideEscalation(top, runbook, at(40), { kind: 'manual', actor: responder, note: null }))).toEqual({
      code: 'no_more_levels',
      incident: 'INC-42',
      levels: 3,
      channel: 'C00000001',
    });
  });
});

describe('paging at declare and by severity (page_at_severity)', () => {
  const paging = makeRunbook({
    severity: 2,
    page_at_severity: 2,
    escalation: [
      { after: '0m', notify: ['@oncall-documents'] },
      { after: '15m', notify: ['@documents-lead'] },
    ],
  });
  const declarer: Actor = { id: 'UDECL0001', isAdmin: false, inChannel: true };

  it('queues level 1 at the declaration itself for SEV1 and SEV2, and level 2 for SEV3 and SEV4', () => {
    for (const severity of [1, 2]) {
      expect(firstLevelJob({ id: INCIDENT_ID, declaredAt: DECLARED_AT, severity }, paging)).toMatchObject({ payload: { level: 1 }, runAt: at(0) });
    }
    for (const severity of [3, 4]) {
      expect(firstLevelJob({ id: INCIDENT_ID, declaredAt: DECLARED_AT, severity }, paging)).toMatchObject({ payload: { level: 2 }, runAt: at(15) });
    }
    const sev3 = makeSnapshot({ status: 'declared', runbook: paging, incident: { severity: 3 } });
    expect(nextLevel(sev3, paging)).toMatchObject({ level: 2, due: at(15) });
  });

  it('the declarer ticking steps does not stop level 1 at 0m nor level 2 on time', () => {
    let s = makeSnapshot({ status: 'declared', runbook: paging });
    const tick = decideStep(s, paging, { stepId: 'look', to: 'done', actor: declarer }, at(0));
    expect(tick.incident?.acknowledgedAt).toBeUndefined();
    s = { ...s, steps: s.steps.map((x) => (x.stepId === 'look' ? { ...x, state: 'done' } : x)) };
    const one = decideEscalation(s, paging, at(0), { kind: 'timeout', level: 1 });
    expect(one.escalation).toMatchObject({ level: 1, reason: 'timeout' });
    expect(plainText(escalationNotice(withLevels(s, one.escalation!), paging, 1)!.text)).toBe('⬆️ Escalated INC-42 to level 1 of 2 as it was declared. Paging');
    const two = decideEscalation(withLevels(s, one.escalation!), paging, at(15), { kind: 'timeout', level: 2 });
    expect(two.escalation).toMatchObject({ level: 2, reason: 'timeout' });
  });

  it('raising the severity to a paging level pages level 1 at once, by the person who raised it', () => {
    const sev3 = makeSnapshot({ status: 'declared', runbook: paging, incident: { severity: 3 } });
    const change = decideSeverity(sev3, 2, declarer, at(4), paging);
    expect(change.escalation).toMatchObject({ level: 1, reason: 'severity', by: declarer.id, note: 'SEV2', at: at(4) });
    expect(change.events.map((e) => e.kind)).toEqual(['incident.severity_changed', 'escalation.fired']);
    expect(change.jobs!.map((j) => j.kind)).toEqual(['chat.announce', 'chat.escalate', 'escalation.due']);
    expect(plainText(escalationNotice(withLevels(sev3, change.escalation!), paging, 1)!.text)).toContain('raised its severity to SEV2. Paging');
  });

  it('pages nothing for a raise that stays above page_at_severity, once acknowledged, or once level 1 fired', () => {
    const sev4 = makeSnapshot({ status: 'declared', runbook: paging, incident: { severity: 4 } });
    expect(decideSeverity(sev4, 3, declarer, at(4), paging).escalation).toBeUndefined();
    const acked = makeSnapshot({ status: 'acknowledged', runbook: paging, incident: { severity: 3 } });
    expect(decideSeverity(acked, 1, declarer, at(4), paging).escalation).toBeUndefined();
    const sev2 = makeSnapshot({ status: 'declared', runbook: paging });
    expect(decideSeverity(sev2, 1, declarer, at(4), paging).escalation).toBeUndefined();
  });
});

describe('the end of the incident', () => {
  it('tells each webhook that was triggered that it is over, once', () => {
    const s = withLevels(makeSnapshot({ status: 'acknowledged' }), fired(1, 5), fired(2, 15));
    expect(webhookResolveJobs(s, at(50))).toEqual([
      {
        kind: 'webhook.call',
        payload: { incidentId: INCIDENT_ID, webhook: 'pagerduty', action: 'resolve', level: null },
        dedupeKey: `${INCIDENT_ID}:webhook:pagerduty:resolve`,
        runAt: at(50),
      },
    ]);
    expect(decideResolve(s, { ...responder, id: 'UCMDR0001' }, at(50)).jobs).toEqual(webhookResolveJobs(s, at(50)));
    expect(webhookResolveJobs(withLevels(makeSnapshot({ status: 'acknowledged' }), fired(1, 5)), at(50))).toEqual([]);
  });
});

describe('what people see of the ladder', () => {
  const ladder = (s: Snapshot) => plainText(escalationLadder(s, runbook) ?? ['(nothing)']);

  it('says what is next and when, and where it stopped', () => {
    expect(ladder(makeSnapshot({ status: 'declared' }))).toBe('Nobody paged yet · next: level 1, @oncall-documents at 2025-03-07 09:20 UTC');
    expect(ladder(withLevels(makeSnapshot({ status: 'declared' }), fired(1, 5), fired(2, 15)))).toBe(
      'Level 2 paged 2025-03-07 09:30 UTC · next: level 3, @head-of-engineering at 2025-03-07 09:45 UTC',
    );
    expect(ladder(withLevels(makeSnapshot({ status: 'acknowledged' }), fired(1, 5)))).toBe(
      'Level 1 paged 2025-03-07 09:20 UTC · stopped: acknowledged 2025-03-07 09:20 UTC',
    );
    expect(ladder(makeSnapshot({ status: 'acknowledged' }))).toBe('Not needed: acknowledged 2025-03-07 09:20 UTC');
    expect(ladder(withLevels(makeSnapshot({ status: 'resolved' }), fired(1, 5)))).toBe('Level 1 paged 2025-03-07 09:20 UTC · stopped: resolved');
    expect(ladder(makeSnapshot({ status: 'resolved' }))).toBe('(nothing)');
    expect(nextLevel(withLevels(makeSnapshot({ status: 'declared' }), fired(1, 5), fired(2, 15), fired(3, 30)), runbook)).toBeNull();
  });

  it('gives the platform the chat targets of a fired level, what happened, and where to fix a target', () => {
    const notice = escalationNotice(withLevels(makeSnapshot({ status: 'declared' }), fired(1, 5), fired(2, 15)), runbook, 2)!;
    expect(notice.targets).toEqual(['@documents-lead', '#eng-incidents']);
    expect(plainText(notice.text)).toBe('⬆️ Escalated INC-42 to level 2 of 3: nobody acknowledged it within 15 minutes. Paging');
    expect(notice.fixAt).toBe('runbook pdf-404 (pdf-404.yaml), escalation.1.notify');
    expect(escalationNotice(makeSnapshot({ status: 'declared' }), runbook, 1)).toBeNull();
  });
});
