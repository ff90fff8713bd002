import type { Change, NewJob } from '../ports';
import { diagnosisOverdueText } from '../render/replies';
import type { Text } from '../render/text';
import { durationMs, type Runbook } from '../runbook/schema';
import type { ActionView } from '../render/actions';
import { changeIncident } from './change';
import { nextLevel } from './escalation';
import type { CoreDeps } from './deps';
import { isOpen, label, type Incident, type Snapshot } from './model';

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

/**
 * The notice as stored state has it when it is posted. Null if the cause was recorded or the
 * incident ended since it was decided: the channel would be told something no longer true.
 */
export function diagnosisNotice(s: Snapshot, runbook: Runbook): Text | null {
  if (!awaitingCause(s.incident)) return null;
  const stepId = runbook.steps.find((st) => st.marks === 'diagnosed')?.id;
  const position = s.steps.findIndex((st) => st.stepId === stepId);
  const step = position >= 0 ? { number: position + 1, title: s.steps[position]!.title } : null;
  return diagnosisOverdueText({ incident: label(s.incident), within: runbook.diagnose_within, rule: diagnosisRule(runbook), step });
}

/** The runbook's rule says escalate now: the notice carries the button that does it, while a level is left. */
export function diagnosisNoticeActions(s: Snapshot, runbook: Runbook): ActionView[] {
  const next = nextLevel(s, runbook);
  if (!next || !isOpen(s.incident)) return [];
  return [{ label: `Escalate to level ${next.level}`, style: 'danger', payload: { a: 'escalate', i: s.incident.id } }];
}

/**
 * The line of the diagnosing step that says when to escalate, as a sentence to quote: without
 * the Markdown markers a runbook may use (bold, code) or a list bullet. Null when there is none.
 */
export function diagnosisRule(runbook: Runbook): string | null {
  const detail = runbook.steps.find((st) => st.marks === 'diagnosed')?.detail ?? '';
  const line = detail.split('\n').find((l) => /escalat/i.test(l));
  if (!line) return null;
  return line
    .replace(/[*]{2}|\x60/g, '') // bold markers and backticks
    .replace(/^\s*(?:[-*]|\d+\.)\s+/, '')
    .trim();
}

function awaitingCause(i: Incident): boolean {
  return i.diagnosedAt === null && isOpen(i);
}
