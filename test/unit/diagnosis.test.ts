import { declareIncident } from '../../src/core/incident/declare-incident';
import type { CoreDeps } from '../../src/core/incident/deps';
import { decideDiagnosisOverdue, diagnosisDueJob } from '../../src/core/incident/diagnosis';
import { diagnosisNotice, diagnosisRule } from '../../src/core/render/notices';
import type { Snapshot, Status } from '../../src/core/model';
import type { Change, IncidentStore } from '../../src/core/ports';
import { plainText } from '../../src/core/text/text';
import { RunbookCatalog } from '../../src/core/runbook/catalog';
import { runbookSchema, type Runbook } from '../../src/core/runbook/schema';
import { DECLARED_AT, INCIDENT_ID, makeRunbook, makeSnapshot } from '../support/factories';

// The 15-minute rule as pure decisions: a snapshot in, a Change (or a notice) out.

const RULE_LINE = 'If none fits after 15 minutes, write "Cause unknown" and escalate now.';
const LIMIT_MS = 15 * 60_000;
const DUE = new Date(DECLARED_AT.getTime() + LIMIT_MS);

/** The default runbook with a diagnosing step that says when to escalate, as pdf-404's does. */
function runbookWith(detail: string, overrides: Partial<Runbook> = {}): Runbook {
  const base = makeRunbook({ diagnose_within: '15m' });
  return { ...base, steps: base.steps.map((s) => (s.marks === 'diagnosed' ? { ...s, detail } : s)), ...overrides };
}

const runbook = runbookWith(`Post: "Cause: <what> since <UTC>".\n- Not rendered.\n${RULE_LINE}\n`);
const OPEN: Status[] = ['declared', 'acknowledged', 'mitigated'];

describe('decideDiagnosisOverdue', () => {
  it.each(OPEN)('records diagnosis.overdue and queues the notice when a %s incident has no cause', (status) => {
    const change = decideDiagnosisOverdue(makeSnapshot({ status, runbook }), runbook, DUE);
    expect(change).toEqual({
      events: [{ kind: 'diagnosis.overdue', actor: 'incident-bot', at: DUE, data: { within: '15m' }, key: `${INCIDENT_ID}:diagnosis.overdue` }],
      jobs: [
        {
          kind: 'chat.notice',
          payload: { incidentId: INCIDENT_ID, platform: 'slack', notice: 'diagnosis_overdue' },
          dedupeKey: `${INCIDENT_ID}:notice:diagnosis_overdue`,
          runAt: DUE,
        },
      ],
    });
  });

  it('changes nothing else about the incident: being late is a fact, not a status', () => {
    const change = decideDiagnosisOverdue(makeSnapshot({ runbook }), runbook, DUE);
    expect(change.incident).toBeUndefined();
    expect(change.steps).toBeUndefined();
  });

  it('decides the same keys on every try, so a second bot process writes nothing new', () => {
    const s = makeSnapshot({ runbook });
    const first = decideDiagnosisOverdue(s, runbook, DUE);
    const second = decideDiagnosisOverdue(s, runbook, new Date(DUE.getTime() + 1_234));
    expect(second.events.map((e) => e.key)).toEqual(first.events.map((e) => e.key));
    expect(second.jobs!.map((j) => j.dedupeKey)).toEqual(first.jobs!.map((j) => j.dedupeKey));
  });

  it('does nothing when the cause was recorded before the limit', () => {
    const s = makeSnapshot({ status: 'acknowledged', runbook, done: ['cause'], incident: { diagnosedAt: new Date(DUE.getTime() - 60_000) } });
    expect(decideDiagnosisOverdue(s, runbook, DUE)).toEqual({ events: [] });
  });

  it.each(['resolved', 'cancelled'] as const)('does nothing when the incident was %s', (status) => {
    expect(decideDiagnosisOverdue(makeSnapshot({ status, runbook }), runbook, DUE)).toEqual({ events: [] });
  });
});

describe('diagnosisDueJob', () => {
  it.each([
    ['15m', LIMIT_MS],
    ['2s', 2_000],
    ['1h', 3_600_000],
  ])('is due %s after the declaration, as the runbook says', (within, ms) => {
    const job = diagnosisDueJob({ id: INCIDENT_ID, declaredAt: DECLARED_AT }, makeRunbook({ diagnose_within: within }));
    expect(job).toEqual({
      kind: 'incident.diagnosis_due',
      payload: { incidentId: INCIDENT_ID },
      dedupeKey: `${INCIDENT_ID}:diagnosis_due`,
      runAt: new Date(DECLARED_AT.getTime() + ms),
    });
  });

  it('is queued by the declare, in the same write as the incident', async () => {
    let written: Change | undefined;
    const store = {
      create: async (incident, steps, change) => {
        written = change;
        return { snapshot: { incident: { ...incident, number: 7 }, steps } as unknown as Snapshot, created: true };
      },
    } as Pick<IncidentStore, 'create'> as IncidentStore;
    const deps: CoreDeps = { store, clock: { now: () => DECLARED_AT }, catalog: new RunbookCatalog([makeRunbook({ diagnose_within: '2s' })]), tz: 'UTC' };
    await declareIncident(deps, { runbook: 'pdf-404', actor: { id: 'UALICE01' }, platform: 'slack', workspace: 'T1' });
    const due = written!.jobs!.filter((j) => j.kind === 'incident.diagnosis_due');
    expect(due).toHaveLength(1);
    expect(due[0]!.runAt).toEqual(new Date(DECLARED_AT.getTime() + 2_000));
  });

  it('defaults to 15 minutes when the runbook does not say', () => {
    const { diagnose_within, ...withoutLimit } = makeRunbook({ diagnose_within: '15m' });
    expect(diagnose_within).toBe('15m');
    expect(runbookSchema.parse(withoutLimit).diagnose_within).toBe('15m');
    expect(runbookSchema.parse({ ...withoutLimit, diagnose_within: '2s' }).diagnose_within).toBe('2s');
    expect(runbookSchema.safeParse({ ...withoutLimit, diagnose_within: '15 minutes' }).success).toBe(false);
  });
});

describe('diagnosisRule', () => {
  it("quotes the diagnosing step's line about escalating", () => {
    expect(diagnosisRule(runbook)).toBe(RULE_LINE);
  });

  it('finds the line whatever its case, and takes the first one', () => {
    expect(diagnosisRule(runbookWith('Look around.\nEscalation: page @oncall after 10 minutes.\nThen escalate again.'))).toBe(
      'Escalation: page @oncall after 10 minutes.',
    );
  });

  it('drops bold and code markers and a list bullet, keeping the words', () => {
    expect(diagnosisRule(runbookWith('Post the cause.\n  - **No cause after 15 minutes?** Write `Cause unknown` and escalate.'))).toBe(
      'No cause after 15 minutes? Write Cause unknown and escalate.',
    );
  });

  it('is null when the step says nothing about escalating, or no step records the cause', () => {
    expect(diagnosisRule(runbookWith('Post the cause.'))).toBeNull();
    const noDiagnosis = makeRunbook({ diagnose_within: '15m', steps: [{ id: 'fix', title: 'Fix it', detail: 'Escalate if stuck.' }] });
    expect(diagnosisRule(noDiagnosis)).toBeNull();
  });
});

describe('diagnosisNotice', () => {
  it('names the incident, the limit, quotes the rule and points at the step that records the cause', () => {
    expect(plainText(diagnosisNotice(makeSnapshot({ runbook }), runbook)!)).toBe(
      `⏰ 15 minutes since INC-42 was declared and no cause is recorded yet. The runbook says: “${RULE_LINE}” ` +
        'Record the cause with step 2 (State the cause) when you have it.',
    );
  });

  it("uses the runbook's own limit", () => {
    const quick = { ...runbook, diagnose_within: '2s' };
    expect(plainText(diagnosisNotice(makeSnapshot({ runbook: quick }), quick)!)).toMatch(/^⏰ 2 seconds since INC-42 was declared/);
  });

  it('falls back to the default rule when the runbook has none', () => {
    const silent = runbookWith('Post the cause.');
    expect(plainText(diagnosisNotice(makeSnapshot({ runbook: silent }), silent)!)).toContain(
      'The rule: “Write "Cause unknown" in the channel and escalate now.”',
    );
  });

  it('keeps runbook text as plain spans, for each surface to escape', () => {
    const sneaky = runbookWith('Escalate to <!channel> now.');
    expect(diagnosisNotice(makeSnapshot({ runbook: sneaky }), sneaky)).toContain('Escalate to <!channel> now.');
  });

  it('says nothing once the cause is recorded or the incident ended, as it would no longer be true', () => {
    expect(diagnosisNotice(makeSnapshot({ runbook, incident: { diagnosedAt: DUE } }), runbook)).toBeNull();
    expect(diagnosisNotice(makeSnapshot({ status: 'resolved', runbook }), runbook)).toBeNull();
    expect(diagnosisNotice(makeSnapshot({ status: 'cancelled', runbook }), runbook)).toBeNull();
  });
});
