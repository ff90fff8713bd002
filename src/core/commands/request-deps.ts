import type { CoreDeps } from '../incident/deps';
import type { Snapshot } from '../model';
import type { IncidentStore } from '../ports';

/**
 * The deps a request's use case runs with. Use cases stay unaware of both things it adds:
 * - Every change it writes carries the request's id, which the store keeps once per incident. A
 *   replayed request (Slack re-sending, a signed body sent twice, a double-submitted form) then
 *   writes nothing, whatever the command: escalate, a severity that someone has changed since, a
 *   commander.
 * - The incident as the request read it (to find it, to check who may act) is where its first
 *   change starts, so the store does not read it again. The store writes that change only onto the
 *   version read, and reads again if another change came first.
 */
export function forRequest(deps: CoreDeps, platform: string, requestId: string | undefined): CoreDeps {
  const key = requestId ? `${platform}:${requestId}` : undefined;
  const inner = deps.store;
  // The rest of the store is the store itself.
  const store: IncidentStore = Object.create(inner);
  const seen = new Map<string, Snapshot>();
  const remember = (snap: Snapshot | null) => {
    if (snap) seen.set(snap.incident.id, snap);
    return snap;
  };
  store.get = (incidentId) => inner.get(incidentId).then(remember);
  store.findByChannel = (p, channelId) => inner.findByChannel(p, channelId).then(remember);
  store.findByNumber = (p, workspace, number) => inner.findByNumber(p, workspace, number).then(remember);
  store.mutate = (incidentId, decide, given) => {
    // Once: after this change, what was read is behind.
    const start = given ?? seen.get(incidentId);
    seen.delete(incidentId);
    return inner.mutate(incidentId, key ? (s) => ({ ...decide(s), requestKey: key }) : decide, start);
  };
  if (!key) return { ...deps, store };
  // Kept with the first incident: the one the request was made in.
  store.mutatePair = (firstId, secondId, decide) =>
    inner.mutatePair(firstId, secondId, (a, b) => {
      const change = decide(a, b);
      return { ...change, first: { ...change.first, requestKey: key } };
    });
  return { ...deps, store };
}
