import type { ChecklistStep, Incident, Postmortem, PostmortemStatus, Snapshot, Status } from '../../src/core/model';
import type { Runbook } from '../../src/core/runbook/schema';

// Builders of the core objects the unit tests hand to decisions, views and renderers. Every
// default is fixed (ids, people, dates), so a test's output is the same on every run; a test
// states whatever it relies on as an override rather than leaning on a default it cannot see.

export const INCIDENT_ID = '5f0c2a9e-4b7d-4e8a-9c1f-2d3e4f5a6b7c';
export const COMMANDER = 'UCMDR0001';
export const DECLARER = 'UDECL0001';
/** Who ticked the steps a snapshot has done, unless the test says otherwise. */
export const DONE_BY = 'UBOB00002';

export const DECLARED_AT = new Date('2025-03-07T09:15:00Z');
export const ACKNOWLEDGED_AT = new Date('2025-03-07T09:20:00Z');
export const MITIGATED_AT = new Date('2025-03-07T09:42:00Z');
/** When a resolved or cancelled incident ended. */
export const ENDED_AT = new Date('2025-03-07T10:30:00Z');
/** When the steps a snapshot has done were ticked, unless the test says otherwise. */
export const DONE_AT = new Date('2025-03-07T09:42:00Z');

/** INC-42, declared on the pdf-404 runbook, with a channel and a commander, nothing else yet. */
export function makeIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: INCIDENT_ID,
    number: 42,
    runbookId: 'pdf-404',
    class: 'pdf',
    title: 'Invoices return 404 for some tenants',
    severity: 2,
    status: 'declared',
    platform: 'slack',
    workspace: 'T1',
    channelId: 'C00000001',
    declaredBy: DECLARER,
    commander: COMMANDER,
    summary: null,
    resolution: null,
    declaredAt: DECLARED_AT,
    acknowledgedAt: null,
    diagnosedAt: null,
    mitigatedAt: null,
    resolvedAt: null,
    cancelledAt: null,
    version: 1,
    ...overrides,
  };
}

/** The milestone timestamps that come with a status, as the store would have them. */
export function milestonesFor(status: Status): Partial<Incident> {
  switch (status) {
    case 'declared':
      return {};
    case 'acknowledged':
      return { acknowledgedAt: ACKNOWLEDGED_AT };
    case 'mitigated':
      return { acknowledgedAt: ACKNOWLEDGED_AT, mitigatedAt: MITIGATED_AT };
    case 'resolved':
      return { acknowledgedAt: ACKNOWLEDGED_AT, resolvedAt: ENDED_AT };
    case 'cancelled':
      return { cancelledAt: ENDED_AT };
  }
}

/**
 * The pdf-404 runbook: three steps, the first with a probe and a detail ending in the newline a
 * YAML block leaves, the second marking diagnosed and the third mitigated.
 */
export function makeRunbook(overrides: Partial<Runbook> = {}): Runbook {
  return {
    id: 'pdf-404',
    title: 'Generated PDFs return 404',
    class: 'pdf',
    severity: 2,
    aliases: [],
    alerts: [],
    diagnose_within: '15m',
    postmortem_at_severity: 2,
    page_at_severity: 2,
    postmortem_due_days: 5,
    summary: 'PDF links 404.',
    owner: 'Documents team',
    links: [
      { title: 'Logs', url: 'https://logs.example/pdf' },
      { title: 'Dashboard', url: 'https://grafana.example/d/pdf' },
    ],
    steps: [
      { id: 'look', title: 'Look at the logs', detail: 'Search for 404s in the last hour.\n', probe: 'smoke-pdf' },
      { id: 'cause', title: 'State the cause', detail: 'Post the cause.', marks: 'diagnosed' },
      { id: 'fix', title: 'Re-render or roll back', detail: 'Fix it.', marks: 'mitigated' },
    ],
    probes: [],
    escalation: [{ after: '5m', notify: ['@oncall'] }],
    quick_validation: ['PDFs download'],
    edge_cases: [{ case: 'none', fallback: 'none' }],
    ...overrides,
  };
}

/** An open checklist step: the default runbook's first one. */
export function makeChecklistStep(overrides: Partial<ChecklistStep> = {}): ChecklistStep {
  return {
    stepId: 'look',
    position: 0,
    title: 'Look at the logs',
    state: 'open',
    changedBy: null,
    changedAt: null,
    ...overrides,
  };
}

export interface SnapshotOptions {
  /** The incident's status, together with the milestone timestamps that go with it (milestonesFor). */
  status?: Status;
  /** Incident fields, applied last. A status given here comes without milestones. */
  incident?: Partial<Incident>;
  /** The runbook whose steps make the checklist, and whose id the incident has; makeRunbook() by default. */
  runbook?: Runbook;
  /** Ids of the steps that are done; the rest are open. */
  done?: string[];
  /** Who ticked the done steps. */
  doneBy?: string;
  /** When the done steps were ticked. */
  doneAt?: Date;
}

/** An incident with its checklist, copied from the runbook's steps as declaring one does. */
export function makeSnapshot(options: SnapshotOptions = {}): Snapshot {
  const { status = 'declared', incident = {}, runbook = makeRunbook(), done = [], doneBy = DONE_BY, doneAt = DONE_AT } = options;
  const steps = runbook.steps.map((s, i) =>
    makeChecklistStep({
      stepId: s.id,
      position: i,
      title: s.title,
      ...(done.includes(s.id) ? { state: 'done', changedBy: doneBy, changedAt: doneAt } : {}),
    }),
  );
  return { incident: makeIncident({ runbookId: runbook.id, status, ...milestonesFor(status), ...incident }), steps };
}

/** A post-mortem opened when the incident ended, owned by the commander, at `status` (with the dates that status implies). */
export function makePostmortem(status: PostmortemStatus, overrides: Partial<Postmortem> = {}): Postmortem {
  return {
    status,
    owner: COMMANDER,
    dueOn: '2025-03-20',
    openedAt: new Date('2025-03-07T10:30:00Z'),
    openedBy: 'incident-bot',
    reviewedAt: null,
    publishedAt: status === 'published' || status === 'closed' ? new Date('2025-03-11T10:00:00Z') : null,
    closedAt: status === 'closed' ? new Date('2025-03-12T10:00:00Z') : null,
    ...overrides,
  };
}
