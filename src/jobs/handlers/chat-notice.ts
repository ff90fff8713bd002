import { requireSnapshot } from '../../core/incident/require-snapshot';
import { diagnosisNoticeActions } from '../../core/incident/diagnosis';
import { alertResolvedNotice, diagnosisNotice } from '../../core/render/notices';
import { duplicateNotice } from '../../core/render/relation-text';
import { similarIncidentsText } from '../../core/render/past-incidents';
import { RetryLaterError } from '../../core/errors';
import { SIMILAR_MAX } from '../../core/search';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

const SIMILAR_WAIT_MS = 5_000;

/** Says a notice in the incident's room, worded from stored state when it runs. */
export const chatNotice =
  ({ deps, platformOf }: HandlerDeps): Handler<'chat.notice'> =>
  async (p) => {
    const snap = await requireSnapshot(deps.store, p.incidentId);
    if (p.notice === 'duplicate_of' || p.notice === 'duplicated_by') {
      if (!p.other) return;
      const other = await requireSnapshot(deps.store, p.other);
      const text = duplicateNotice(snap, other, p.notice);
      if (text) await platformOf(p.platform).post(p.incidentId, text, { key: `${p.notice}:${other.incident.number}` });
      return;
    }
    if (p.notice === 'similar_incidents') {
      // Said under the checklist: until setup has opened the room, wait without spending an attempt.
      if (!snap.incident.channelId) {
        if (snap.incident.status === 'resolved' || snap.incident.status === 'cancelled') return;
        throw new RetryLaterError(SIMILAR_WAIT_MS, `incident ${p.incidentId} has no room yet`);
      }
      if (!deps.search) return;
      const text = similarIncidentsText(snap.incident, await deps.search.similar(snap.incident, SIMILAR_MAX), p.platform);
      if (text) await platformOf(p.platform).post(p.incidentId, text, { key: p.notice });
      return;
    }
    if (p.notice === 'alert_resolved') {
      const text = alertResolvedNotice(snap, p.at ? new Date(p.at) : snap.incident.declaredAt);
      if (text) await platformOf(p.platform).post(p.incidentId, text, { key: p.notice });
      return;
    }
    const runbook = deps.catalog.forIncident(snap.incident.runbookId);
    const text = diagnosisNotice(snap, runbook);
    // The key finds the notice in the room if an earlier try was killed after posting it.
    if (text) await platformOf(p.platform).post(p.incidentId, text, { key: p.notice, actions: diagnosisNoticeActions(snap, runbook) });
  };
