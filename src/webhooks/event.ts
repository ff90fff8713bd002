import type { Snapshot } from '../core/model';

/** What a webhook is told, built by the job handler from stored state. */
export interface WebhookEvent {
  action: 'trigger' | 'resolve';
  incident: { id: string; number: number; title: string; severity: number; runbookId: string; status: string; channelUrl: string | null };
  /** The level that fired (trigger); null for resolve. */
  level: number | null;
  reason: 'timeout' | 'manual' | 'severity' | null;
  /** The level's targets as written in the runbook. */
  targets: string[];
  /** When the level fired or the incident ended. */
  at: Date;
}

/** One call's body and headers, as a preset words it. */
export interface WebhookRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * The event for a `webhook.call` job, from stored state: the level as it fired, or the end of the
 * incident. Null when there is nothing true to say (a level that never fired, an incident still open).
 */
export function webhookEvent(s: Snapshot, action: 'trigger' | 'resolve', level: number | null, channelUrl: string | null): WebhookEvent | null {
  const i = s.incident;
  const incident = { id: i.id, number: i.number, title: i.title, severity: i.severity, runbookId: i.runbookId, status: i.status, channelUrl };
  if (action === 'resolve') {
    const ended = i.resolvedAt ?? i.cancelledAt;
    return ended ? { action, incident, level: null, reason: null, targets: [], at: ended } : null;
  }
  const fired = (s.escalations ?? []).find((f) => f.level === level);
  return fired ? { action, incident, level: fired.level, reason: fired.reason, targets: fired.targets, at: fired.at } : null;
}
