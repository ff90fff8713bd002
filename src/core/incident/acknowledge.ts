import type { Change } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireOpen, requireParticipant } from './guards';
import { isOpen, type Actor, type Snapshot } from '../model';

/**
 * How a responder acknowledged: the Acknowledge button (the header's or a page's), the command, by
 * declaring an incident whose first escalation level names them (the on-call declaring their own),
 * or in PagerDuty, on the page a `webhook:` level sent there.
 * Working the incident (ticking steps, severity, mitigate, escalate …) is not an acknowledgement.
 */
export type AckVia = 'button' | 'command' | 'declare' | 'pagerduty';

/**
 * Nothing once acknowledged: only the first acknowledgement is recorded. A mitigated incident keeps
 * its status. `detail` goes on the timeline event beside `via` (where it came from elsewhere).
 */
export function acknowledgeChange(s: Snapshot, actor: Pick<Actor, 'id'>, at: Date, via: AckVia, detail: Record<string, string> = {}): Change {
  if (s.incident.acknowledgedAt) return { events: [] };
  return {
    incident: { ...(s.incident.status === 'declared' ? { status: 'acknowledged' as const } : {}), acknowledgedAt: at, acknowledgedVia: via },
    events: [{ kind: 'incident.acknowledged', actor: actor.id, at, data: { ...detail, via }, key: `${s.incident.id}:acknowledged` }],
  };
}

export function decideAcknowledge(s: Snapshot, actor: Actor, at: Date, via: AckVia): Change {
  requireOpen(s.incident, 'acknowledge');
  requireParticipant(actor, s.incident, 'acknowledge');
  return acknowledgeChange(s, actor, at, via);
}

/**
 * The on-call declaring their own incident (the declarer is among level 1's targets) acknowledged
 * it by declaring: `acknowledged_at` is the declaration. Nothing once acknowledged or ended.
 */
export function decideDeclarerAcknowledges(s: Snapshot, at: Date): Change {
  if (!isOpen(s.incident)) return { events: [] };
  const change = acknowledgeChange(s, { id: s.incident.declaredBy }, at, 'declare');
  return change.incident ? { ...change, incident: { ...change.incident, acknowledgedAt: s.incident.declaredAt } } : change;
}

export async function acknowledgeAsDeclarer(deps: CoreDeps, incidentId: string) {
  return changeIncident(deps, incidentId, (s, at) => decideDeclarerAcknowledges(s, at));
}

/** A responder takes the incident: the ladder stops. Acknowledging twice is a no-op. */
export async function acknowledge(deps: CoreDeps, incidentId: string, actor: Actor, via: AckVia) {
  return changeIncident(deps, incidentId, (s, at) => decideAcknowledge(s, actor, at, via));
}

/**
 * A responder acknowledged our page in PagerDuty. They are not in any room of ours, so there is
 * nobody to refuse: an incident already acknowledged or ended changes nothing, which also makes a
 * redelivered webhook harmless. `actorId` names them as PagerDuty did (`pagerduty:<name>`).
 */
export function decidePagerDutyAcknowledges(s: Snapshot, actorId: string, at: Date, pagerDutyIncident: string | null): Change {
  if (!isOpen(s.incident)) return { events: [] };
  return acknowledgeChange(s, { id: actorId }, at, 'pagerduty', pagerDutyIncident ? { pagerDutyIncident } : {});
}

export async function acknowledgeFromPagerDuty(deps: CoreDeps, incidentId: string, actorId: string, pagerDutyIncident: string | null) {
  return changeIncident(deps, incidentId, (s, at) => decidePagerDutyAcknowledges(s, actorId, at, pagerDutyIncident));
}
