import { requireSnapshot } from '../../core/incident/require-snapshot';
import { PermanentError } from '../../core/errors';
import { escalationNotice } from '../../core/render/notices';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/** Brings a fired level to its chat targets (mentions, invites, DMs). */
export const chatEscalate =
  ({ deps, platformOf }: HandlerDeps): Handler<'chat.escalate'> =>
  async (p, attempt) => {
    const snap = await requireSnapshot(deps.store, p.incidentId);
    const notice = escalationNotice(snap, deps.catalog.forIncident(snap.incident.runbookId), p.level);
    if (!notice) throw new PermanentError(`level ${p.level} of incident ${p.incidentId} never fired`);
    await platformOf(p.platform).escalate(notice, attempt);
  };
