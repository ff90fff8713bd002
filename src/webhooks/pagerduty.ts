import type { WebhookEvent, WebhookRequest } from './event';

// PagerDuty's four severities, SEV1 first.
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

const DEDUP_PREFIX = 'incident-bot-';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The dedup key of every event about one incident; PagerDuty hands it back as `incident_key`. */
export function pagerDutyDedupKey(incidentId: string): string {
  return `${DEDUP_PREFIX}${incidentId}`;
}

/**
 * The incident a dedup key names, or null when it is not one of ours. Only a well-formed id gets
 * through: the key comes from outside, and anything else would be a database error, not "not ours".
 */
export function incidentOfDedupKey(key: string | null | undefined): string | null {
  if (!key?.startsWith(DEDUP_PREFIX)) return null;
  const id = key.slice(DEDUP_PREFIX.length);
  return UUID.test(id) ? id.toLowerCase() : null;
}

/**
 * An Events API v2 event. One dedup key per incident: every level adds to the same PagerDuty
 * alert (PagerDuty's own escalation policy takes it from there) and the resolve closes it.
 */
export function pagerDutyRequest(routingKey: string, event: WebhookEvent): WebhookRequest {
  const i = event.incident;
  const envelope = { routing_key: routingKey, event_action: event.action, dedup_key: pagerDutyDedupKey(i.id) };
  if (event.action === 'resolve') return json(envelope);
  return json({
    ...envelope,
    payload: {
      summary: `INC-${i.number} ${i.title}${event.level === null ? '' : ` (escalation level ${event.level})`}`,
      source: 'incident-bot',
      // An unexpected severity pages as the worst rather than being refused by PagerDuty.
      severity: SEVERITIES[i.severity - 1] ?? 'critical',
      timestamp: event.at.toISOString(),
      custom_details: { runbook: i.runbookId, level: event.level, reason: event.reason, channel: i.channelUrl },
    },
  });
}

function json(body: object): WebhookRequest {
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
}
