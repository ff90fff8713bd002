import type { NewJob } from '../jobs';
import type { Incident } from '../model';

/**
 * The similar-incidents notice belongs under the checklist, so setup runs it as soon as the room is
 * set up (chat-provision.ts promotes it). The delay is only the fallback for a promote that missed
 * (the job not in Redis yet): it then runs by itself, and waits for the room if setup is slower.
 */
export const SIMILAR_NOTICE_FALLBACK_MS = 20_000;

export function similarNoticeKey(incidentId: string): string {
  return `${incidentId}:notice:similar_incidents`;
}

/** Queued with the declare, so a declare that is written always gets its look back, once. */
export function similarNoticeJob(incident: Pick<Incident, 'id' | 'declaredAt' | 'platform'>): NewJob {
  return {
    kind: 'chat.notice',
    payload: { incidentId: incident.id, platform: incident.platform, notice: 'similar_incidents' },
    dedupeKey: similarNoticeKey(incident.id),
    runAt: new Date(incident.declaredAt.getTime() + SIMILAR_NOTICE_FALLBACK_MS),
  };
}
