import { UserError, type Role } from '../errors';
import type { Change, NewEvent, NewJob } from '../ports';
import type { Runbook } from '../runbook/schema';
import { changeIncident } from './change';
import { homeJobs } from './home-jobs';
import type { CoreDeps } from './deps';
import { requireParticipant } from './guards';
import { label, type Actor, type PostmortemStatus, type Snapshot } from '../model';
import { localDay } from './local-day';
import { missingAnalysis } from './analysis';

/** Who opens a post-mortem when a resolve does. */
export const BOT_ACTOR = 'incident-bot';

/** `days` business days (Monday to Friday) after the calendar day `fromDay` (YYYY-MM-DD). */
export function businessDaysAfter(fromDay: string, days: number): string {
  const d = new Date(`${fromDay}T00:00:00Z`);
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const weekday = d.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return d.toISOString().slice(0, 10);
}

/** Posts the draft in the incident's room once, rendered from the stored timeline when it runs. */
export function draftJob(s: Snapshot, at: Date): NewJob {
  return {
    kind: 'chat.postmortem',
    payload: { incidentId: s.incident.id, platform: s.incident.platform },
    dedupeKey: `${s.incident.id}:postmortem:draft`,
    runAt: at,
  };
}

/** Opening a post-mortem: owned by the commander (else the declarer), due in the runbook's business days. */
export function openingChange(s: Snapshot, runbook: Runbook, at: Date, tz: string, by: string, via: 'resolve' | 'command'): Change {
  if (s.postmortem) return { events: [] };
  const owner = s.incident.commander ?? s.incident.declaredBy;
  // Counted from the team's today, the day "overdue" is later measured against.
  const dueOn = businessDaysAfter(localDay(at, tz), runbook.postmortem_due_days);
  return {
    postmortem: { open: { owner, dueOn, openedAt: at, openedBy: by } },
    events: [{ kind: 'postmortem.opened', actor: by, at, data: { owner, due: dueOn, via }, key: `${s.incident.id}:postmortem:opened` }],
    jobs: [draftJob(s, at), ...homeJobs(s, [owner], at)],
  };
}

/** A resolve at the runbook's post-mortem severity or worse opens one; a lesser one does not. */
export function postmortemOnResolve(s: Snapshot, runbook: Runbook, at: Date, tz: string): Change {
  if (s.incident.severity > runbook.postmortem_at_severity) return { events: [] };
  return openingChange(s, runbook, at, tz, BOT_ACTOR, 'resolve');
}

/** `postmortem` by hand, for any severity, open or resolved: anyone working the incident may ask. */
export function decideOpenPostmortem(s: Snapshot, runbook: Runbook, actor: Actor, at: Date, tz: string): Change {
  requireParticipant(actor, s.incident, 'open_postmortem');
  return openingChange(s, runbook, at, tz, actor.id, 'command');
}

const NEXT: Record<'in_review' | 'published', PostmortemStatus[]> = { in_review: ['draft'], published: ['draft', 'in_review'] };

/**
 * Review, then publish. The owner, the commander or an admin moves it; a published post-mortem
 * whose action items are all done is closed at once.
 */
export function decideMovePostmortem(s: Snapshot, actor: Actor, to: 'in_review' | 'published', at: Date): Change {
  const pm = s.postmortem;
  const name = label(s.incident);
  if (!pm) throw new UserError({ code: 'no_postmortem', incident: name });
  if (pm.status === to) return { events: [] };
  if (!NEXT[to].includes(pm.status)) throw new UserError({ code: 'postmortem_state', incident: name, status: pm.status, to });
  const allowed = actor.isAdmin || actor.id === pm.owner || actor.id === s.incident.commander;
  if (!allowed) {
    const can: Role[] = [];
    if (pm.owner) can.push({ role: 'post-mortem owner', user: pm.owner });
    if (s.incident.commander && s.incident.commander !== pm.owner) can.push({ role: 'commander', user: s.incident.commander });
    can.push({ role: 'admin' });
    throw new UserError({ code: 'not_allowed', incident: name, action: 'move_postmortem', can });
  }
  requireAnalysisFor(s, to);
  const closes = to === 'published' && (s.actionItems ?? []).every((i) => i.closedAt);
  const events: NewEvent[] = [{ kind: 'postmortem.moved', actor: actor.id, at, data: { to }, key: `${s.incident.id}:postmortem:${to}` }];
  if (closes) events.push({ kind: 'postmortem.moved', actor: actor.id, at, data: { to: 'closed' }, key: `${s.incident.id}:postmortem:closed` });
  return { postmortem: { to: closes ? 'closed' : to, at }, events, jobs: homeJobs(s, [pm.owner], at) };
}

/**
 * A review reads a root cause, so one must be written first; what is published has every part of
 * its analysis written, or marked "n/a" by someone who decided it does not apply.
 */
function requireAnalysisFor(s: Snapshot, to: 'in_review' | 'published'): void {
  const missing = missingAnalysis(s.postmortem?.analysis);
  const blocking = to === 'in_review' ? missing.filter((f) => f === 'rootCause') : missing;
  if (blocking.length > 0) {
    throw new UserError({ code: 'analysis_missing', incident: label(s.incident), to, fields: blocking });
  }
}

export function openPostmortem(deps: CoreDeps, incidentId: string, actor: Actor) {
  return changeIncident(deps, incidentId, (s, at) => decideOpenPostmortem(s, deps.catalog.forIncident(s.incident.runbookId), actor, at, deps.tz));
}

export function movePostmortem(deps: CoreDeps, incidentId: string, actor: Actor, to: 'in_review' | 'published') {
  return changeIncident(deps, incidentId, (s, at) => decideMovePostmortem(s, actor, to, at));
}
