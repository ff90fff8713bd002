import type { Change } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireManager, requireOpen } from './guards';
import type { Actor, Snapshot } from '../model';

export function decideCommander(s: Snapshot, commander: string, actor: Actor, at: Date): Change {
  requireOpen(s.incident, 'set_commander');
  requireManager(actor, s.incident, 'set_commander');
  if (s.incident.commander === commander) return { events: [] };
  return {
    incident: { commander },
    events: [
      {
        kind: 'incident.commander_changed',
        actor: actor.id,
        at,
        data: { from: s.incident.commander, to: commander },
        key: `${s.incident.id}:commander:v${s.incident.version}`,
      },
    ],
  };
}

export async function assignCommander(deps: CoreDeps, incidentId: string, commander: string, actor: Actor) {
  return changeIncident(deps, incidentId, (s, at) => decideCommander(s, commander, actor, at));
}
