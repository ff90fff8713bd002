import { UserError, type Role } from '../errors';
import type { Change, NewEvent } from '../ports';
import { changeIncident } from './change';
import { homeJobs } from './home-jobs';
import type { CoreDeps } from './deps';
import { requireParticipant } from './guards';
import { label, type Actor, type Snapshot } from '../model';
import { checkedText } from './text-limits';
import { localDay } from './local-day';

export interface NewActionItem {
  text: string;
  owner: string | null;
  /** YYYY-MM-DD. */
  dueOn: string | null;
}

/**
 * Anyone working the incident adds follow-up work, while it is open or after: an action item is
 * what makes the recurrence rate fall, and most of them are written after the fire is out.
 */
export function decideAddItem(s: Snapshot, actor: Actor, item: NewActionItem, at: Date, tz: string, requestId: string): Change {
  requireParticipant(actor, s.incident, 'add_action_item');
  const text = checkedText(item.text, 'action item');
  if (!text) throw new UserError({ code: 'invalid_input', field: 'action' });
  if (item.dueOn && item.dueOn < localDay(at, tz)) throw new UserError({ code: 'invalid_input', field: 'due' });
  const number = Math.max(0, ...(s.actionItems ?? []).map((i) => i.number)) + 1;
  return {
    actionItem: { add: { number, text, owner: item.owner, dueOn: item.dueOn, createdAt: at, createdBy: actor.id } },
    // Keyed by the request, so a replayed command adds nothing (a new number would slip past a number key).
    events: [
      {
        kind: 'action_item.added',
        actor: actor.id,
        at,
        data: { number, text, owner: item.owner, due: item.dueOn },
        key: `${s.incident.id}:item-add:${requestId}`,
      },
    ],
    jobs: homeJobs(s, [item.owner], at),
  };
}

/**
 * Closing someone else's item is for its owner, the commander or an admin; an item nobody owns is
 * also its author's to close. A published post-mortem closes with its last open item.
 */
export function decideCloseItem(s: Snapshot, actor: Actor, number: number, at: Date): Change {
  const name = label(s.incident);
  const items = s.actionItems ?? [];
  const item = items.find((i) => i.number === number);
  if (!item) throw new UserError({ code: 'unknown_action_item', incident: name, number, open: items.filter((i) => !i.closedAt).map((i) => i.number) });
  if (item.closedAt) return { events: [] };
  const mine = item.owner ? actor.id === item.owner : actor.id === item.createdBy;
  if (!mine && !actor.isAdmin && actor.id !== s.incident.commander) {
    const can: Role[] = [];
    if (item.owner) can.push({ role: 'owner', user: item.owner });
    if (s.incident.commander) can.push({ role: 'commander', user: s.incident.commander });
    can.push({ role: 'admin' });
    throw new UserError({ code: 'not_allowed', incident: name, action: 'close_action_item', can });
  }
  const events: NewEvent[] = [{ kind: 'action_item.closed', actor: actor.id, at, data: { number }, key: `${s.incident.id}:item:${number}:closed` }];
  const last = items.every((i) => i.closedAt || i.number === number);
  const jobs = homeJobs(s, [item.owner, item.createdBy, s.postmortem?.owner], at);
  if (s.postmortem?.status === 'published' && last) {
    events.push({ kind: 'postmortem.moved', actor: actor.id, at, data: { to: 'closed' }, key: `${s.incident.id}:postmortem:closed` });
    return { actionItem: { close: number, at, by: actor.id }, events, postmortem: { to: 'closed', at }, jobs };
  }
  return { actionItem: { close: number, at, by: actor.id }, events, jobs };
}

export function addActionItem(deps: CoreDeps, incidentId: string, actor: Actor, item: NewActionItem, requestId: string) {
  return changeIncident(deps, incidentId, (s, at) => decideAddItem(s, actor, item, at, deps.tz, requestId));
}

export function closeActionItem(deps: CoreDeps, incidentId: string, actor: Actor, number: number) {
  return changeIncident(deps, incidentId, (s, at) => decideCloseItem(s, actor, number, at));
}
