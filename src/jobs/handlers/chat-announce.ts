import { requireSnapshot } from '../../core/incident/require-snapshot';
import { severityRaisedText } from '../../core/render/announcement';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/**
 * Says a rise to SEV1 or SEV2 in the announce channel, once: the key names the rise (its target
 * and the version it made), so a retry or a replayed job finds the post and says nothing more.
 */
export const chatAnnounce =
  ({ deps, platformOf }: HandlerDeps): Handler<'chat.announce'> =>
  async (p) => {
    const platform = platformOf(p.platform);
    if (!platform.announce) return;
    const snap = await requireSnapshot(deps.store, p.incidentId);
    const text = severityRaisedText(snap, p.from, p.to, platform.roomUrl(snap.incident));
    await platform.announce(p.incidentId, text, `announce:sev${p.to}:v${p.version}`);
  };
