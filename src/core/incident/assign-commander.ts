import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireManager, requireOpen } from './guards';
import type { Actor } from './model';

export async function assignCommander(deps: CoreDeps, incidentId: string, commander: string, actor: Actor) {
  return changeIncident(deps, incidentId, (s, at) => {
    requireOpen(s.incident, 'change the commander of');
    requireManager(actor, s.incident, 'change the commander of');
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
  });
}
