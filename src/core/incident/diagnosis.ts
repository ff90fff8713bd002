import type { Change, NewJob } from '../ports';
import { durationMs, type Runbook } from '../runbook/schema';
import type { ActionView } from '../text/actions';
import { changeIncident } from './change';
import { nextLevel } from './escalation';
import type { CoreDeps } from './deps';
import { awaitingCause, checklistGeneration, isOpen, type Incident, type Snapshot } from '../model';

/**
 * BraiFlow's promise: support names the cause within the runbook's `diagnose_within` (15 minutes
 * unless it says otherwise). A job queued with the declare looks when the time is up; if no cause
 * is recorded and the incident is still open, the channel is told once, quoting the runbook.
 */

/** The notice `chat.notice` posts; also the key that finds it again in the channel. */
const DIAGNOSIS_NOTICE = 'diagnosis_overdue';

/**
 * Queued with the declare, due when the runbook's limit has passed; queued again by a switch of
 * runbook (`generation` > 1), with the new runbook's limit, still counted from the declaration.
 */
export function diagnosisDueJob(incident: Pick<Incident, 'id' | 'declaredAt'>, runbook: Runbook, generation = 1): NewJob {
  const switched = generation > 1;
  return {
    kind: 'incident.diagnosis_due',
    payload: { incidentId: incident.id, ...(switched ? { generation } : {}) },
    dedupeKey: `${incident.id}:diagnosis_due${switched ? `:g${generation}` : ''}`,
    runAt: new Date(incident.declaredAt.getTime() + durationMs(runbook.diagnose_within)),
  };
}

/**
 * The limit as the incident keeps it (`diagnose_within_seconds`), so the report can count "diagnosed
 * in time" against each incident's own runbook. Whole seconds, at least one: a `0m` runbook is due at once.
 */
export function diagnoseWithinSeconds(runbook: Runbook): number {
  return Math.min(2_147_483_647, Math.max(1, Math.round(durationMs(runbook.diagnose_within) / 1000)));
}

/**
 * The event key is the incident's: whichever process decides second, its change is a replay the
 * store rolls back, so the timeline says it once and the notice is queued once.
 */
export function decideDiagnosisOverdue(s: Snapshot, runbook: Runbook, at: Date, generation = 1): Change {
  const i = s.incident;
  if (!awaitingCause(i)) return { events: [] };
  // Queued for a runbook the incident was switched away from: the new runbook's limit applies.
  if (generation !== checklistGeneration(s)) return { events: [] };
  return {
    events: [{ kind: 'diagnosis.overdue', actor: 'incident-bot', at, data: { within: runbook.diagnose_within }, key: `${i.id}:diagnosis.overdue` }],
    jobs: [
      {
        kind: 'chat.notice',
        payload: { incidentId: i.id, platform: i.platform, notice: DIAGNOSIS_NOTICE },
        dedupeKey: `${i.id}:notice:${DIAGNOSIS_NOTICE}`,
        runAt: at,
      },
    ],
  };
}

export async function checkDiagnosisDue(deps: CoreDeps, incidentId: string, generation?: number) {
  return changeIncident(deps, incidentId, (s, at) => decideDiagnosisOverdue(s, deps.catalog.forIncident(s.incident.runbookId), at, generation));
}

/** The runbook's rule says escalate now: the notice carries the button that does it, while a level is left. */
export function diagnosisNoticeActions(s: Snapshot, runbook: Runbook): ActionView[] {
  const next = nextLevel(s, runbook);
  if (!next || !isOpen(s.incident)) return [];
  return [{ label: `Escalate to level ${next.level}`, style: 'danger', payload: { a: 'escalate', i: s.incident.id } }];
}
