import type { WebhookEvent, WebhookRequest } from './event';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './signature';

/**
 * The same for every send of one event, retries included, so a receiver can drop a redelivery.
 * An incident fires each level at most once and ends once, which is what makes it unique.
 */
export function deliveryId(event: WebhookEvent): string {
  return event.level === null ? `${event.incident.id}:${event.action}` : `${event.incident.id}:${event.action}:${event.level}`;
}

/** Our own JSON, signed with the shared secret (docs/webhooks.md). `now` stamps the signature, not the event. */
export function genericRequest(secret: string, event: WebhookEvent, now: Date): WebhookRequest {
  const { id, number, title, severity, runbookId, status, channelUrl } = event.incident;
  // Fields are picked one by one: the caller may hand over a richer incident than receivers should see.
  const body = JSON.stringify({
    event: event.action === 'trigger' ? 'escalation.fired' : 'incident.resolved',
    incident: { id, number, title, severity, runbookId, status, channelUrl },
    level: event.level,
    reason: event.reason,
    targets: event.targets,
    at: event.at.toISOString(),
  });
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
      [DELIVERY_HEADER]: deliveryId(event),
    },
  };
}
