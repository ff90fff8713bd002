import type { CoreDeps } from '../incident/deps';
import type { IncidentStore } from '../ports';

/**
 * The deps a request's use case runs with: every change it writes carries the request's id, which
 * the store keeps once per incident. A replayed request (Slack re-sending, a signed body sent
 * twice, a double-submitted form) then writes nothing, whatever the command: escalate, a severity
 * that someone has changed since, a commander. Use cases stay unaware of it.
 */
export function forRequest(deps: CoreDeps, platform: string, requestId: string | undefined): CoreDeps {
  if (!requestId) return deps;
  const key = `${platform}:${requestId}`;
  const inner = deps.store;
  // The rest of the store is the store itself: only mutate learns the key.
  const store: IncidentStore = Object.create(inner);
  store.mutate = (incidentId, decide) => inner.mutate(incidentId, (s) => ({ ...decide(s), requestKey: key }));
  // Kept with the first incident: the one the request was made in.
  store.mutatePair = (firstId, secondId, decide) =>
    inner.mutatePair(firstId, secondId, (a, b) => {
      const change = decide(a, b);
      return { ...change, first: { ...change.first, requestKey: key } };
    });
  return { ...deps, store };
}
