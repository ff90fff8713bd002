import type { CoreDeps } from './deps';
import { changeIncident } from './change';
import { isOpen } from '../model';

/** The notice `chat.notice` posts when an incident's alert resolves; also the key that finds it again. */
export const ALERT_RESOLVED_NOTICE = 'alert_resolved';

/**
 * The alert that opened the incident says it is over: the timeline records it and the room is told
 * once, to run the quick validation. It never resolves the incident: a quiet graph is not a fix.
 * A second `resolved` (Alertmanager resends, a second bot) finds the event's key taken: nothing.
 */
export async function recordAlertResolved(
  deps: CoreDeps,
  incidentId: string,
  alert: { source: string; fingerprint: string; endsAt: Date | null },
): Promise<{ changed: boolean }> {
  const { changed } = await changeIncident(deps, incidentId, (s, at) => {
    if (!isOpen(s.incident)) return { events: [] };
    const i = s.incident;
    const endedAt = alert.endsAt ?? at;
    return {
      events: [
        {
          kind: 'alert.resolved',
          actor: `alert:${alert.source}`,
          at,
          data: { source: alert.source, fingerprint: alert.fingerprint, endsAt: endedAt.toISOString() },
          key: `${i.id}:alert:resolved`,
        },
      ],
      jobs: [
        {
          kind: 'chat.notice',
          payload: { incidentId: i.id, platform: i.platform, notice: ALERT_RESOLVED_NOTICE, at: endedAt.toISOString() },
          dedupeKey: `${i.id}:notice:${ALERT_RESOLVED_NOTICE}`,
          runAt: at,
        },
      ],
    };
  });
  return { changed };
}

/**
 * The alert that opened the incident fired again (Alertmanager repeats, retries, a second bot):
 * the timeline says so once; the count is kept with the alert (`alerts.repeats`), not as events.
 */
export async function recordAlertRepeated(deps: CoreDeps, incidentId: string, source: string): Promise<void> {
  await changeIncident(deps, incidentId, (s, at) =>
    isOpen(s.incident) ? { events: [{ kind: 'alert.repeated', actor: `alert:${source}`, at, key: `${s.incident.id}:alert:repeated` }] } : { events: [] },
  );
}
