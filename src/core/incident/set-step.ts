import { UserError } from '../errors';
import type { Change } from '../ports';
import type { Runbook } from '../runbook/schema';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireOpen, requireParticipant } from './guards';
import { checklistGeneration, label, type Actor, type Snapshot } from '../model';

export interface SetStepInput {
  incidentId: string;
  stepId: string;
  /** The state the click asks for, so a double click or a replay changes nothing the second time. */
  to: 'done' | 'open';
  actor: Actor;
  /** The platform's id for this request (Slack action_ts); a replay of it records nothing. */
  requestId?: string;
  /** The checklist generation the button was drawn for (1 when absent). */
  generation?: number;
}

export function decideStep(s: Snapshot, runbook: Runbook, input: Omit<SetStepInput, 'incidentId'>, at: Date): Change {
  requireOpen(s.incident, 'tick_steps');
  requireParticipant(input.actor, s.incident, 'tick_steps');
  // A button of a checklist the runbook switch replaced: two runbooks share step ids, so it must
  // not tick the new checklist's step of the same name.
  if ((input.generation ?? 1) !== checklistGeneration(s)) throw new UserError({ code: 'stale_button' });
  const step = s.steps.find((x) => x.stepId === input.stepId);
  if (!step) throw new UserError({ code: 'unknown_step', incident: label(s.incident), step: input.stepId });
  if (step.state === input.to) return { events: [] };
  const actor = input.actor.id;
  const change: Change = {
    steps: [{ stepId: step.stepId, state: input.to, changedBy: actor, changedAt: at }],
    events: [
      {
        kind: input.to === 'done' ? 'step.completed' : 'step.reopened',
        actor,
        at,
        data: { step: step.stepId, title: step.title },
        key: `${s.incident.id}:step:${step.stepId}:${input.to}:${input.requestId ?? `v${s.incident.version}`}`,
      },
    ],
    incident: {},
  };
  if (input.to === 'done') {
    const marks = runbook.steps.find((p) => p.id === step.stepId)?.marks;
    if (marks === 'diagnosed' && !s.incident.diagnosedAt) {
      change.incident!.diagnosedAt = at;
      change.events.push({ kind: 'incident.diagnosed', actor, at, data: { step: step.stepId }, key: `${s.incident.id}:diagnosed` });
    }
    if (marks === 'mitigated' && !s.incident.mitigatedAt) {
      change.incident!.mitigatedAt = at;
      change.incident!.status = 'mitigated';
      change.events.push({ kind: 'incident.mitigated', actor, at, data: { step: step.stepId }, key: `${s.incident.id}:mitigated` });
    }
  }
  // Working the checklist is recorded (who, when) but is not an acknowledgement: the ladder keeps
  // paging until a responder acknowledges.
  return change;
}

export async function setStep(deps: CoreDeps, input: SetStepInput) {
  return changeIncident(deps, input.incidentId, (s, at) => decideStep(s, deps.catalog.forIncident(s.incident.runbookId), input, at));
}
