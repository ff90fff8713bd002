export type WebhookField = 'URL' | 'SECRET' | 'PRESET';

/** `status-page`, `URL` → `ESCALATION_WEBHOOK_STATUS_PAGE_URL`: shells allow no dashes in variable names. */
export function webhookVariable(name: string, field: WebhookField): string {
  return `ESCALATION_WEBHOOK_${name.toUpperCase().replace(/-/g, '_')}_${field}`;
}

export type WebhookPreset = 'generic' | 'pagerduty';

/** A webhook a runbook's escalation level names as `webhook:<name>`. Its URL and secret live here, never in YAML. */
export interface WebhookConfig {
  name: string;
  url: string;
  /** generic: the HMAC key; pagerduty: the Events API v2 routing (integration) key. */
  secret: string;
  preset: WebhookPreset;
}
