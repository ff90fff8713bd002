import type { Incident } from '../../core/model';

export const CHANNEL_NAME = /^[a-z0-9_-]{1,80}$/;

/** inc-<yyyymmdd>-<runbook>-<n>, within Slack's rules: lowercase, [a-z0-9_-], at most 80 characters. */
export function channelName(incident: Pick<Incident, 'declaredAt' | 'runbookId' | 'number'>, attempt = 1): string {
  const day = incident.declaredAt.toISOString().slice(0, 10).replace(/-/g, '');
  const suffix = `-${incident.number}${attempt > 1 ? `-${attempt}` : ''}`;
  const runbook = incident.runbookId.toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
  return `inc-${day}-${runbook}`.slice(0, 80 - suffix.length) + suffix;
}
