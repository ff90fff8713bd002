import type { Change } from '../ports';
import type { CoreDeps } from './deps';
import type { Snapshot } from './model';

/**
 * Runs `decide` against the locked incident. Every change also queues a re-render of the
 * incident's messages, in the same transaction, so a crash after commit cannot leave a stale checklist.
 */
export function changeIncident(deps: CoreDeps, incidentId: string, decide: (s: Snapshot) => Change) {
  return deps.store.mutate(incidentId, (s) => {
    const change = decide(s);
    if (change.events.length === 0) return change;
    const version = s.incident.version + 1;
    return {
      ...change,
      jobs: [
        ...(change.jobs ?? []),
        {
          kind: 'chat.render',
          payload: { incidentId: s.incident.id, platform: s.incident.platform, version },
          dedupeKey: `${s.incident.id}:render:v${version}`,
          runAt: deps.clock.now(),
        },
      ],
    };
  });
}
