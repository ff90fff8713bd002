import type { NewJob } from '../ports';
import type { Snapshot } from '../model';

/**
 * Refreshes the personal page (Slack's App Home) of each person whose action items or post-mortems
 * a change touched. Keyed by the incident's next version, so the same change queues each once.
 */
export function homeJobs(s: Snapshot, users: Array<string | null | undefined>, at: Date): NewJob[] {
  const version = s.incident.version + 1;
  return [...new Set(users.filter((u): u is string => Boolean(u)))].map((userId) => ({
    kind: 'chat.home',
    payload: { platform: s.incident.platform, workspace: s.incident.workspace, userId },
    dedupeKey: `${s.incident.id}:home:${userId}:v${version}`,
    runAt: at,
  }));
}
