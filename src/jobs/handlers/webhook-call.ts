import { requireSnapshot } from '../../core/incident/require-snapshot';
import { PermanentError } from '../../core/errors';
import { webhookFailedText } from '../../core/render/replies';
import { webhookEvent } from '../../webhooks/event';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/** Tells a named webhook that a level fired or the incident ended; one that never will is said in the room. */
export const webhookCall =
  ({ deps, platformOf, webhooks }: HandlerDeps): Handler<'webhook.call'> =>
  async (p) => {
    const snap = await requireSnapshot(deps.store, p.incidentId);
    const event = webhookEvent(snap, p.action, p.level, platformOf(snap.incident.platform).roomUrl(snap.incident));
    if (!event) throw new PermanentError(`nothing to tell webhook ${p.webhook} about incident ${p.incidentId} (${p.action})`);
    await webhooks.send(p.webhook, event).catch(async (err: unknown) => {
      // A webhook that will never answer is a page that never went out: say so where people look.
      if (err instanceof PermanentError) {
        const key = `webhook:${p.webhook}:${p.action}:${p.level ?? 'end'}:failed`;
        await platformOf(snap.incident.platform).post(p.incidentId, webhookFailedText(p.webhook, p.level, err.message), { key });
      }
      throw err;
    });
  };
