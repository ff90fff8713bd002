import type { Change, NewJob } from '../ports';
import { durationMs, type Runbook } from '../runbook/schema';
import type { ActionView } from '../text/actions';
import { changeIncident } from './change';
import { nextLevel } from './escalation';
import type { CoreDeps } from './deps';
import { awaitingCause, isOpen, type Incident, type Snapshot } from '../model';

/**
 * BraiFlow's promise: support names the cause within the runbook's `diagnose_within` (15 minutes
 * unless it says otherwise). A job queued with the declare looks when the time is up; if no cause
 * is recorded and the incident is still open, the channel is told once, quoting the runbook.
 */

/** The notice `chat.notice` posts; also the key that finds it again in the channel. */
const DIAGNOSIS_NOTICE = 'diagnosis_overdue';

/** Queued with the declare, due when the runbook's limit has passed. */
export function diagnosisDueJob(incident: Pick<Incident, 'id' | 'declaredAt'>, runbook: Runbook): NewJob {
  return {
    kind: 'incident.diagnosis_due',
    payload: { incidentId: incident.id },
    dedupeKey: `${incident.id}:diagnosis_due`,
    runAt: new Date(incident.declaredAt.getTime() + durationMs(runbook.diagnose_within)),
  };
}

/**
 * The event key is the incident's: whichever process decides second, its change is a replay the
 * store rolls back, so the timeline says it once and the notice is queued once.
 */
export function decideDiagnosisOverdue(s: Snapshot, runbook: Runbook, at: Date): Change {
  const i = s.incident;
  if (!awaitingCause(i)) return { events: [] };
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

export async function checkDiagnosisDue(deps: CoreDeps, incidentId: string) {
  return changeIncident(deps, incidentId, (s, at) => decideDiagnosisOverdue(s, deps.catalog.forIncident(s.incident.runbookId), at));
}

/** The runbook's rule says escalate now: the notice carries the button that does it, while a level is left. */
export function diagnosisNoticeActions(s: Snapshot, runbook: Runbook): ActionView[] {
  const next = nextLevel(s, runbook);
  if (!next || !isOpen(s.incident)) return [];
  return [{ label: `Escalate to level ${next.level}`, style: 'danger', payload: { a: 'escalate', i: s.incident.id } }];
}
