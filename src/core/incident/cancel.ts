import type { Change } from '../ports';
import { changeIncident } from './change';
import { webhookResolveJobs } from './escalation';
import type { CoreDeps } from './deps';
import { checkedText } from './text-limits';
import { requireManager, requireOpen } from './guards';
import type { Actor, Snapshot } from '../model';

/** For an incident declared by mistake: it leaves MTTR and the other reports. */
export function decideCancel(s: Snapshot, actor: Actor, at: Date, reason?: string): Change {
  if (s.incident.status === 'cancelled') return { events: [] };
  requireOpen(s.incident, 'cancel');
  requireManager(actor, s.incident, 'cancel');
  return {
    incident: { status: 'cancelled', cancelledAt: at },
    events: [{ kind: 'incident.cancelled', actor: actor.id, at, data: { reason: checkedText(reason, 'reason') }, key: `${s.incident.id}:cancelled` }],
    jobs: webhookResolveJobs(s, at),
  };
}

export async function cancel(deps: CoreDeps, incidentId: string, actor: Actor, reason?: string) {
  return changeIncident(deps, incidentId, (s, at) => decideCancel(s, actor, at, reason));
}
