import { changeIncident } from './change';
import type { Change } from '../ports';
import type { CoreDeps } from './deps';
import { requireOpen, requireParticipant } from './guards';
import type { Actor, Snapshot } from './model';

export function acknowledgeChange(s: Snapshot, actor: Actor, at: Date, via: string): Change {
  if (s.incident.status !== 'declared') return { events: [] };
  return {
    incident: { status: 'acknowledged', acknowledgedAt: at },
    events: [{ kind: 'incident.acknowledged', actor: actor.id, at, data: { via }, key: `${s.incident.id}:acknowledged` }],
  };
}

/** Anyone working the incident may acknowledge it; acknowledging twice is a no-op. */
export async function acknowledge(deps: CoreDeps, incidentId: string, actor: Actor) {
  return changeIncident(deps, incidentId, (s, at) => {
    requireOpen(s.incident, 'acknowledge');
    requireParticipant(actor, s.incident, 'acknowledge');
    return acknowledgeChange(s, actor, at, 'command');
  });
}
