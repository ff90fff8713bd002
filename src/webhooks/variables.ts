export type WebhookField = 'URL' | 'SECRET' | 'PRESET';

/** `status-page`, `URL` → `ESCALATION_WEBHOOK_STATUS_PAGE_URL`: shells allow no dashes in variable names. */
export function webhookVariable(name: string, field: WebhookField): string {
  return `ESCALATION_WEBHOOK_${name.toUpperCase().replace(/-/g, '_')}_${field}`;
}
