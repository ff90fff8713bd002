import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireManager, requireOpen } from './guards';
import type { Actor } from './model';

export async function resolve(deps: CoreDeps, incidentId: string, actor: Actor, summary?: string) {
  return changeIncident(deps, incidentId, (s, at) => {
    if (s.incident.status === 'resolved') return { events: [] };
    requireOpen(s.incident, 'resolve');
    requireManager(actor, s.incident, 'resolve');
    const resolution = summary?.trim() || null;
    return {
      incident: { status: 'resolved', resolvedAt: at, resolution },
      events: [{ kind: 'incident.resolved', actor: actor.id, at, data: { summary: resolution }, key: `${s.incident.id}:resolved` }],
    };
  });
}
