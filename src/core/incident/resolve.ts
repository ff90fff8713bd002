import type { Change } from '../ports';
import { changeIncident } from './change';
import { webhookResolveJobs } from './escalation';
import type { CoreDeps } from './deps';
import { checkedText } from './text-limits';
import { requireManager, requireOpen } from './guards';
import type { Actor, Snapshot } from '../model';
import { postmortemOnResolve } from './postmortem';
import type { Runbook } from '../runbook/schema';

/** `opening` given: a resolve at the runbook's post-mortem severity or worse opens the post-mortem too. */
export function decideResolve(s: Snapshot, actor: Actor, at: Date, summary?: string, opening?: { runbook: Runbook; tz: string }): Change {
  if (s.incident.status === 'resolved') return { events: [] };
  requireOpen(s.incident, 'resolve');
  requireManager(actor, s.incident, 'resolve');
  const resolution = checkedText(summary, 'summary');
  const postmortem = opening ? postmortemOnResolve(s, opening.runbook, at, opening.tz) : { events: [] };
  return {
    incident: { status: 'resolved', resolvedAt: at, resolution },
    events: [{ kind: 'incident.resolved', actor: actor.id, at, data: { summary: resolution }, key: `${s.incident.id}:resolved` }, ...postmortem.events],
    // The ladder stops by itself (a due level finds the incident ended); webhooks are told.
    jobs: [...webhookResolveJobs(s, at), ...(postmortem.jobs ?? [])],
    ...(postmortem.postmortem ? { postmortem: postmortem.postmortem } : {}),
  };
}

export async function resolve(deps: CoreDeps, incidentId: string, actor: Actor, summary?: string) {
  return changeIncident(deps, incidentId, (s, at) =>
    decideResolve(s, actor, at, summary, { runbook: deps.catalog.forIncident(s.incident.runbookId), tz: deps.tz }),
  );
}
