import type { Change } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireOpen, requireParticipant } from './guards';
import type { Actor, Snapshot } from '../model';

/** How a person acknowledged: the header button, the command, or by working the incident. */
export type AckVia = 'button' | 'command' | 'step' | 'mitigate' | 'resolve' | 'severity' | 'commander' | 'escalate';

/** Nothing when the incident is past `declared`: only the first acknowledgement is recorded. */
export function acknowledgeChange(s: Snapshot, actor: Pick<Actor, 'id'>, at: Date, via: AckVia): Change {
  if (s.incident.status !== 'declared') return { events: [] };
  return {
    incident: { status: 'acknowledged', acknowledgedAt: at },
    events: [{ kind: 'incident.acknowledged', actor: actor.id, at, data: { via }, key: `${s.incident.id}:acknowledged` }],
  };
}

/**
 * The first human action on an incident acknowledges it, so MTTA is never empty for an incident
 * somebody worked. `change` wins where both set a field (a mitigation's status, say).
 */
export function withAcknowledgement(s: Snapshot, actor: Pick<Actor, 'id'>, at: Date, via: AckVia, change: Change): Change {
  if (change.events.length === 0) return change;
  const ack = acknowledgeChange(s, actor, at, via);
  if (ack.events.length === 0) return change;
  return { ...change, incident: { ...ack.incident, ...change.incident }, events: [...ack.events, ...change.events] };
}

export function decideAcknowledge(s: Snapshot, actor: Actor, at: Date, via: AckVia): Change {
  requireOpen(s.incident, 'acknowledge');
  requireParticipant(actor, s.incident, 'acknowledge');
  return acknowledgeChange(s, actor, at, via);
}

/** Anyone working the incident may acknowledge it; acknowledging twice is a no-op. */
export async function acknowledge(deps: CoreDeps, incidentId: string, actor: Actor, via: AckVia) {
  return changeIncident(deps, incidentId, (s, at) => decideAcknowledge(s, actor, at, via));
}
