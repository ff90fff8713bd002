import type { Change } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireOpen, requireParticipant } from './guards';
import type { Actor, Snapshot } from '../model';

/** Impact has stopped; the incident stays open until resolved. Anyone working it may say so. */
export function decideMitigate(s: Snapshot, actor: Actor, at: Date): Change {
  requireOpen(s.incident, 'mitigate');
  requireParticipant(actor, s.incident, 'mitigate');
  if (s.incident.status === 'mitigated') return { events: [] };
  return {
    incident: { status: 'mitigated', mitigatedAt: s.incident.mitigatedAt ?? at },
    events: [{ kind: 'incident.mitigated', actor: actor.id, at, data: { via: 'command' }, key: `${s.incident.id}:mitigated` }],
  };
}

export async function mitigate(deps: CoreDeps, incidentId: string, actor: Actor) {
  return changeIncident(deps, incidentId, (s, at) => decideMitigate(s, actor, at));
}
