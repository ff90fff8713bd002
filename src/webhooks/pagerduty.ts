import type { WebhookEvent, WebhookRequest } from './event';

// PagerDuty's four severities, SEV1 first.
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

/**
 * An Events API v2 event. One dedup key per incident: every level adds to the same PagerDuty
 * alert (PagerDuty's own escalation policy takes it from there) and the resolve closes it.
 */
export function pagerDutyRequest(routingKey: string, event: WebhookEvent): WebhookRequest {
  const i = event.incident;
  const envelope = { routing_key: routingKey, event_action: event.action, dedup_key: `incident-bot-${i.id}` };
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
