import type { Change, NewJob, PairChange } from '../ports';
import type { CoreDeps } from './deps';
import type { Incident, Snapshot } from '../model';

/**
 * Runs `decide` against the locked incident, with the time to record. Every change also queues a
 * re-render of the incident's messages, in the same transaction, so a crash after commit cannot
 * leave a stale checklist.
 */
export function changeIncident(deps: CoreDeps, incidentId: string, decide: (s: Snapshot, at: Date) => Change) {
  return deps.store.mutate(incidentId, (s) => {
    const at = recordTime(deps.clock.now(), s.incident);
    const change = decide(s, at);
    if (change.events.length === 0) return change;
    return { ...change, jobs: [...(change.jobs ?? []), renderJob(s.incident, `v${s.incident.version + 1}`, at)] };
  });
}

/**
 * `changeIncident` for a use case that ties two incidents: each gets its own time to record and,
 * where it changed, its own re-render, in the one transaction.
 */
export function changeIncidents(deps: CoreDeps, firstId: string, secondId: string, decide: (a: Snapshot, b: Snapshot, at: Date) => PairChange) {
  return deps.store.mutatePair(firstId, secondId, (a, b) => {
    const now = deps.clock.now();
    const at = new Date(Math.max(recordTime(now, a.incident).getTime(), recordTime(now, b.incident).getTime()));
    const change = decide(a, b, at);
    const withRender = (s: Snapshot, c: Change): Change =>
      c.events.length === 0 ? c : { ...c, jobs: [...(c.jobs ?? []), renderJob(s.incident, `v${s.incident.version + 1}`, at)] };
    return { ...change, first: withRender(a, change.first), second: withRender(b, change.second) };
  });
}

/**
 * Re-renders the incident's messages from whatever is stored when it runs. `key` names the change
 * it follows (a version, a probe run), so the same change written twice queues one render.
 */
export function renderJob(incident: Pick<Incident, 'id' | 'platform'>, key: string, at: Date): NewJob {
  return { kind: 'chat.render', payload: { incidentId: incident.id, platform: incident.platform }, dedupeKey: `${incident.id}:render:${key}`, runAt: at };
}

/**
 * Now, or the incident's latest milestone if that is later. Instances whose clocks drift by a few
 * milliseconds must not record an acknowledgement before the declaration it answers.
 */
function recordTime(now: Date, i: Incident): Date {
  const latest = Math.max(...[i.declaredAt, i.acknowledgedAt, i.diagnosedAt, i.mitigatedAt, i.resolvedAt, i.cancelledAt].map((d) => d?.getTime() ?? 0));
  return now.getTime() >= latest ? now : new Date(latest);
}
