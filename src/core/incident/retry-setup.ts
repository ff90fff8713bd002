import type { Change, ReplyTo } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireManager, requireOpen } from './guards';
import type { Actor, Snapshot } from '../model';

/** The bot itself, when a sweep finds an incident whose setup never finished. */
export const SWEEPER: Actor = { id: 'incident-bot', isAdmin: true, inChannel: true };

/**
 * Queues the incident's setup again (channel, invite, messages): after a fix for a permanent
 * Slack error, or when a sweep finds it stranded. Setup is safe to repeat, so nothing is lost if
 * it was not stranded after all.
 */
export function decideRetrySetup(s: Snapshot, actor: Actor, at: Date, replyTo: ReplyTo | null, by: 'person' | 'sweep'): Change {
  requireOpen(s.incident, 'retry');
  requireManager(actor, s.incident, 'retry');
  // A sweep that raced a setup which just finished has nothing left to do.
  if (by === 'sweep' && s.incident.channelId) return { events: [] };
  const version = s.incident.version;
  return {
    events: [{ kind: 'incident.setup_retried', actor: actor.id, at, data: { by }, key: `${s.incident.id}:setup_retried:v${version}` }],
    jobs: [
      {
        kind: 'chat.provision',
        payload: { incidentId: s.incident.id, platform: s.incident.platform, replyTo },
        dedupeKey: `${s.incident.id}:provision:v${version}`,
        runAt: at,
      },
    ],
  };
}

export async function retrySetup(deps: CoreDeps, incidentId: string, actor: Actor, replyTo: ReplyTo | null, by: 'person' | 'sweep' = 'person') {
  return changeIncident(deps, incidentId, (s, at) => decideRetrySetup(s, actor, at, replyTo, by));
}
