import { decideDiagnosisOverdue } from '../../src/core/incident/diagnosis';
import { decideEscalation } from '../../src/core/incident/escalation';
import { decideStep } from '../../src/core/incident/set-step';
import { decideRunbookSwitch } from '../../src/core/incident/switch-runbook';
import type { Actor, FiredLevel, Snapshot } from '../../src/core/model';
import { checklistViews } from '../../src/core/render/views';
import type { Runbook } from '../../src/core/runbook/schema';
import { plainText } from '../../src/core/text/text';
import { COMMANDER, DECLARED_AT, INCIDENT_ID, makeRunbook, makeSnapshot } from '../support/factories';
import { refusal } from '../support/refusals';

// Switching runbook keeps one incident; from the switch on, the new runbook's checks, diagnosis
// limit and ladder apply, counted from the declaration, and what was already paged stays paged.

const at = (min: number) => new Date(DECLARED_AT.getTime() + min * 60_000);
const pdf = makeRunbook({
  escalation: [
    { after: '0m', notify: ['@oncall-documents'] },
    { after: '15m', notify: ['@documents-lead'] },
    { after: '30m', notify: ['@head-of-engineering'] },
  ],
});
const storage: Runbook = makeRunbook({
  id: 'storage-permissions',
  title: 'Object storage access denied',
  class: 'storage',
  diagnose_within: '30m',
  steps: [
    { id: 'look', title: 'Look at the bucket policy', detail: 'Check the policy.' },
    { id: 'rotate', title: 'Rotate the key', detail: 'Rotate it.', marks: 'mitigated' },
  ],
  probes: [{ id: 'bucket-read', title: 'Bucket read', kind: 'storage', bucket: 'docs', key: 'probe.txt', auto: true } as Runbook['probes'][number]],
  escalation: [
    { after: '0m', notify: ['@oncall-storage'] },
    { after: '10m', notify: ['@storage-lead'] },
    { after: '45m', notify: ['@cto'] },
  ],
});
const commander: Actor = { id: COMMANDER, isAdmin: false, inChannel: true };
const responder: Actor = { id: 'URESP0001', isAdmin: false, inChannel: true };
const levelOne: FiredLevel = { level: 1, targets: ['@oncall-documents'], reason: 'timeout', at: at(0), by: null, note: null };

function switched(s: Snapshot, minute: number): { snapshot: Snapshot; change: ReturnType<typeof decideRunbookSwitch> } {
  const change = decideRunbookSwitch(s, storage, commander, at(minute), 'app gets 403', ['storage-permissions']);
  const snapshot: Snapshot = {
    ...s,
    incident: { ...s.incident, runbookId: storage.id, class: storage.class, version: s.incident.version + 1 },
    steps: change.runbookChange!.steps.map((st) => ({ ...st, state: 'open', changedBy: null, changedAt: null })),
    replaced: [
      { generation: 1, runbookId: pdf.id, steps: s.steps, replacedAt: at(minute), replacedBy: COMMANDER, replacedWith: storage.id, reason: 'app gets 403' },
    ],
  };
  return { snapshot, change };
}

describe('switching runbook', () => {
  it('moves the incident to the new runbook and class, with its checklist, event and checks', () => {
    const { change } = switched({ ...makeSnapshot({ runbook: pdf, done: ['look'] }), escalations: [levelOne] }, 12);
    // The new runbook's 30m diagnose_within is what the reports count "diagnosed in time" against from now on.
    expect(change.incident).toEqual({ runbookId: 'storage-permissions', class: 'storage', diagnoseWithinSeconds: 1800 });
    expect(change.runbookChange).toEqual(
      expect.objectContaining({ generation: 2, from: 'pdf-404', to: 'storage-permissions', by: COMMANDER, reason: 'app gets 403', at: at(12) }),
    );
    expect(change.runbookChange!.steps.map((s) => s.stepId)).toEqual(['look', 'rotate']);
    expect(change.events.map((e) => [e.kind, e.key])).toEqual([
      ['runbook.changed', `${INCIDENT_ID}:runbook:g2`],
      ['probe.requested', `${INCIDENT_ID}:probes:runbook:g2`],
    ]);
    expect(change.probeRuns!.map((r) => r.probeId)).toEqual(['bucket-read']);
  });

  it("queues the new runbook's next level and diagnosis limit, counted from the declaration, and never pages a level twice", () => {
    const { change, snapshot } = switched({ ...makeSnapshot({ runbook: pdf }), escalations: [levelOne] }, 12);
    const jobs = change.jobs!.filter((j) => j.kind !== 'probe.runs');
    expect(jobs.map((j) => [j.kind, j.payload, j.dedupeKey, j.runAt])).toEqual([
      ['incident.diagnosis_due', { incidentId: INCIDENT_ID, generation: 2 }, `${INCIDENT_ID}:diagnosis_due:g2`, at(30)],
      // Level 2 of the new ladder is due 10 minutes after the declaration: already past, so now.
      ['escalation.due', { incidentId: INCIDENT_ID, level: 2, generation: 2 }, `${INCIDENT_ID}:escalation:2:due:g2`, at(12)],
    ]);
    const withFired = { ...snapshot, escalations: [levelOne] };
    // The pdf-404 level 2 queued before the switch does nothing; the new one pages the new targets.
    expect(decideEscalation(withFired, storage, at(15), { kind: 'timeout', level: 2 }).events).toEqual([]);
    const fired = decideEscalation(withFired, storage, at(12), { kind: 'timeout', level: 2, generation: 2 });
    expect(fired.escalation).toEqual(expect.objectContaining({ level: 2, targets: ['@storage-lead'] }));
    expect(fired.jobs!.find((j) => j.kind === 'escalation.due')).toEqual(
      expect.objectContaining({ payload: { incidentId: INCIDENT_ID, level: 3, generation: 2 }, runAt: at(45) }),
    );
    // The old diagnosis limit (15 min) no longer applies; the new one (30 min) does.
    expect(decideDiagnosisOverdue(snapshot, storage, at(15)).events).toEqual([]);
    expect(decideDiagnosisOverdue(snapshot, storage, at(30), 2).events.map((e) => e.kind)).toEqual(['diagnosis.overdue']);
  });

  it('queues no level for an acknowledged incident, and no diagnosis limit once a cause is recorded', () => {
    const s = makeSnapshot({ runbook: pdf, status: 'acknowledged', incident: { diagnosedAt: at(8) } });
    const { change } = switched(s, 12);
    expect(change.jobs!.map((j) => j.kind)).toEqual(['probe.runs']);
  });

  it('refuses the same runbook, a closed incident, and anyone but the commander, the declarer or an admin', () => {
    const s = makeSnapshot({ runbook: pdf });
    expect(refusal(() => decideRunbookSwitch(s, pdf, commander, at(1), null, ['storage-permissions']))).toMatchObject({ code: 'same_runbook' });
    expect(refusal(() => decideRunbookSwitch(s, storage, responder, at(1), null, []))).toMatchObject({ code: 'not_allowed', action: 'switch_runbook' });
    const closed = makeSnapshot({ runbook: pdf, status: 'resolved' });
    expect(refusal(() => decideRunbookSwitch(closed, storage, commander, at(1), null, []))).toMatchObject({ code: 'ended', action: 'switch_runbook' });
  });

  it('draws the old checklist read-only under what replaced it, and refuses its stale buttons', () => {
    const { snapshot } = switched(makeSnapshot({ runbook: pdf, done: ['look'] }), 12);
    const catalog = { forIncident: (id: string) => (id === storage.id ? storage : pdf) };
    const [old, now] = checklistViews(snapshot, catalog);
    expect(old!.generation).toBe(1);
    expect(old!.view.items.flatMap((i) => i.actions)).toEqual([]);
    expect(old!.view.items[0]!.done).not.toBeNull();
    // Its edge cases stay readable with no This happened: an edge case id names the new runbook's case.
    expect(old!.view.edgeCases.length).toBeGreaterThan(0);
    expect([...old!.view.edgeCases, ...old!.view.items.flatMap((i) => i.edgeCases)].flatMap((e) => e.actions)).toEqual([]);
    expect(now!.view.edgeCases.flatMap((e) => e.actions).length).toBeGreaterThan(0);
    expect(plainText(old!.view.replaced!)).toMatch(/^Replaced by Object storage access denied \(storage-permissions\) .* by @UCMDR0001: app gets 403$/);
    expect(now!.generation).toBe(2);
    expect(now!.view.items[0]!.actions[0]!.payload).toEqual({ a: 'step', i: INCIDENT_ID, s: 'look', to: 'done', g: 2 });
    // The same step id on the replaced checklist: refused, never ticked on the new one.
    const click = { stepId: 'look', to: 'done' as const, actor: responder };
    expect(refusal(() => decideStep(snapshot, storage, click, at(13)))).toMatchObject({ code: 'stale_button' });
    expect(decideStep(snapshot, storage, { ...click, generation: 2 }, at(13)).steps).toEqual([
      { stepId: 'look', state: 'done', changedBy: responder.id, changedAt: at(13) },
    ]);
  });
});
