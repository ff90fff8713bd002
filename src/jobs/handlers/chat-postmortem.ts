import { requireSnapshot } from '../../core/incident/require-snapshot';
import { postmortemDraft } from '../../core/render/postmortem-draft';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/** Says the post-mortem draft in the incident's room once, written from the timeline when it runs. */
export const chatPostmortem =
  ({ deps, platformOf }: HandlerDeps): Handler<'chat.postmortem'> =>
  async (p) => {
    const snap = await requireSnapshot(deps.store, p.incidentId);
    const runbook = deps.catalog.forIncident(snap.incident.runbookId);
    const draft = postmortemDraft(snap, runbook, await deps.store.timeline(p.incidentId));
    // Keyed: a try killed after the platform took the draft finds it there (Slack) or its claim (Teams).
    if (draft) await platformOf(p.platform).post(p.incidentId, draft.text, { key: 'postmortem:draft', actions: draft.actions });
  };
