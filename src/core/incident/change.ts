import type { Change, NewJob } from '../ports';
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
