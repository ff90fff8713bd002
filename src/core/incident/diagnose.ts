import type { Change } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireOpen, requireParticipant } from './guards';
import type { Actor, Snapshot } from '../model';
import { checkedText } from './text-limits';

/**
 * The cause was found outside the checklist: records the diagnosed milestone (time to diagnose)
 * as the step marked `diagnosed` would. Once: a second report changes nothing.
 */
export function decideDiagnosed(s: Snapshot, actor: Actor, at: Date, via: 'command' | 'button', note?: string): Change {
  requireOpen(s.incident, 'diagnose');
  requireParticipant(actor, s.incident, 'diagnose');
  if (s.incident.diagnosedAt) return { events: [] };
  const cause = checkedText(note, 'summary');
  return {
    incident: { diagnosedAt: at },
    events: [{ kind: 'incident.diagnosed', actor: actor.id, at, data: { via, cause }, key: `${s.incident.id}:diagnosed` }],
  };
}

export async function markDiagnosed(deps: CoreDeps, incidentId: string, actor: Actor, via: 'command' | 'button', note?: string) {
  return changeIncident(deps, incidentId, (s, at) => decideDiagnosed(s, actor, at, via, note));
}
