import { changeIncident } from './change';
import type { CoreDeps } from './deps';

/** Records the room the platform opened for the incident; its messages render there. */
export async function attachChannel(deps: CoreDeps, incidentId: string, channelId: string, actor: string, name: string) {
  return changeIncident(deps, incidentId, (s, at) => {
    if (s.incident.channelId === channelId) return { events: [] };
    return {
      incident: { channelId },
      events: [{ kind: 'incident.channel_opened', actor, at, data: { channel: channelId, name }, key: `${s.incident.id}:channel:${channelId}` }],
    };
  });
}
