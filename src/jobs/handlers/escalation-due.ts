import { acknowledgeAsDeclarer } from '../../core/incident/acknowledge';
import { checkEscalationDue } from '../../core/incident/escalation';
import { isOpen } from '../../core/model';
import { webhookName } from '../../core/runbook/schema';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/**
 * Level n of the on-call ladder is due: whether it fires is decided now. Before level 1 pages, a
 * declarer its targets name (the on-call declaring their own incident) acknowledges it: they took
 * it by declaring, so nobody is paged.
 */
export const escalationDue =
  ({ deps, platformOf }: HandlerDeps): Handler<'escalation.due'> =>
  async (p) => {
    if (p.level === 1) await declarerOnCall(deps, platformOf, p.incidentId);
    await checkEscalationDue(deps, p.incidentId, p.level, p.generation);
  };

async function declarerOnCall(deps: HandlerDeps['deps'], platformOf: HandlerDeps['platformOf'], incidentId: string): Promise<void> {
  const snap = await deps.store.get(incidentId);
  if (!snap || !isOpen(snap.incident) || snap.incident.acknowledgedAt) return;
  if ((snap.escalations ?? []).some((f) => f.level === 1)) return;
  const rung = deps.catalog.forIncident(snap.incident.runbookId).escalation[0];
  const targets = (rung?.notify ?? []).filter((t) => webhookName(t) === null);
  const platform = platformOf(snap.incident.platform);
  if (targets.length === 0 || !platform.reaches) return;
  if (await platform.reaches(targets, snap.incident.declaredBy, snap.incident.channelId)) await acknowledgeAsDeclarer(deps, incidentId);
}
