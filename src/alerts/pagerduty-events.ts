import { z } from 'zod';

export const INCIDENT_ACKNOWLEDGED = 'incident.acknowledged';

// Only what the bot reads; PagerDuty's other fields (client, resource_type, …) are dropped unread.
const reference = z.object({ id: z.string().optional(), summary: z.string().optional() });

/** A Generic Webhooks (V3) delivery: one event per request, its resource in `data`. */
export const pagerDutyWebhookBody = z.object({
  event: z.object({
    id: z.string().max(200).optional(),
    event_type: z.string().min(1).max(200),
    occurred_at: z.string().max(100).optional(),
    agent: reference.nullish(),
    // Each event type has a resource of its own; only incident.acknowledged's is read (below).
    data: z.unknown(),
  }),
});

export type PagerDutyEvent = z.infer<typeof pagerDutyWebhookBody>['event'];

/**
 * The incident of an incident.* event. `incident_key` is the dedup key of the Events API event that
 * opened it (ours: `incident-bot-<id>`), null for an incident opened another way.
 */
export const pagerDutyIncident = z.object({
  id: z.string().min(1).max(200),
  incident_key: z.string().max(1_000).nullish(),
});

export type PagerDutyIncident = z.infer<typeof pagerDutyIncident>;

const MAX_NAME = 64;

/**
 * Who acknowledged, as the timeline's actor: `pagerduty:<name>`. The name is PagerDuty's user (or
 * their id), text anyone with a PagerDuty account chose, so it keeps letters, digits, spaces and
 * `.'-` only (no markup or mention syntax survives on any surface) and is clipped.
 */
export function pagerDutyActor(agent: PagerDutyEvent['agent']): string {
  const name = plainName(agent?.summary) || plainName(agent?.id);
  return name ? `pagerduty:${name}` : 'pagerduty';
}

/** PagerDuty's incident id (`PT4KHLK`), kept on the timeline event to find it there; null if odd. */
export function pagerDutyIncidentRef(id: string): string | null {
  return /^[A-Za-z0-9]{1,32}$/.test(id) ? id : null;
}

function plainName(text: string | undefined): string {
  if (!text) return '';
  // NFKC first, so a full-width ＜ becomes < and is dropped with the rest.
  const plain = text
    .normalize('NFKC')
    .replace(/[^\p{L}\p{M}\p{N} .'-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return [...plain].slice(0, MAX_NAME).join('').trim();
}
