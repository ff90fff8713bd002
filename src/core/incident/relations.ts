import { UserError } from '../errors';
import type { Change, NewJob, PairChange } from '../ports';
import { changeIncidents } from './change';
import type { CoreDeps } from './deps';
import { webhookResolveJobs } from './escalation';
import { requireManager, requireOpen, requireParticipant } from './guards';
import { label, type Actor, type Snapshot } from '../model';

/**
 * Incidents tied to others: a duplicate closed in favour of its original, and related incidents.
 * Each is one transaction over both incidents, so both headers and both timelines agree.
 */

const NOTHING: PairChange = { first: { events: [] }, second: { events: [] } };

/**
 * `dup` is closed as a duplicate of `original`: cancelled (so every report leaves it out as it
 * leaves a cancel out) with `duplicateOf` set, and both rooms told. Only its managers may, as for
 * a cancel; a duplicate of a duplicate is refused, naming the original to point to instead.
 */
export function decideDuplicate(dup: Snapshot, original: Snapshot, actor: Actor, at: Date): PairChange {
  const d = dup.incident;
  const o = original.incident;
  if (d.id === o.id) throw new UserError({ code: 'relation_to_itself', incident: label(d), relation: 'duplicate' });
  if (d.duplicateOf === o.id) return NOTHING;
  requireOpen(d, 'mark_duplicate');
  requireManager(actor, d, 'mark_duplicate');
  const originalOf = original.relations?.duplicateOf ?? null;
  if (o.duplicateOf || originalOf !== null) {
    throw new UserError({ code: 'duplicate_of_duplicate', incident: label(d), target: label(o), original: originalOf !== null ? `INC-${originalOf}` : '?' });
  }
  const notice = (s: Snapshot, kind: 'duplicate_of' | 'duplicated_by', other: string): NewJob => ({
    kind: 'chat.notice',
    payload: { incidentId: s.incident.id, platform: s.incident.platform, notice: kind, other },
    dedupeKey: `${s.incident.id}:notice:${kind}:${other}`,
    runAt: at,
  });
  const first: Change = {
    incident: { status: 'cancelled', cancelledAt: at, duplicateOf: o.id },
    events: [{ kind: 'incident.duplicate_of', actor: actor.id, at, data: { of: o.number }, key: `${d.id}:duplicate_of` }],
    // As for a cancel: the ladder stops by itself, and webhooks that were paged are told it ended.
    jobs: [...webhookResolveJobs(dup, at), notice(dup, 'duplicate_of', o.id)],
  };
  const second: Change = {
    events: [{ kind: 'incident.duplicated', actor: actor.id, at, data: { duplicate: d.number }, key: `${o.id}:duplicated:${d.id}` }],
    jobs: [notice(original, 'duplicated_by', d.id)],
  };
  return { first, second };
}

/** Related both ways, with an event on each timeline; linking a pair twice changes nothing. */
export function decideLink(here: Snapshot, other: Snapshot, actor: Actor, at: Date): PairChange {
  const h = here.incident;
  const o = other.incident;
  if (h.id === o.id) throw new UserError({ code: 'relation_to_itself', incident: label(h), relation: 'link' });
  requireParticipant(actor, h, 'link');
  if ((here.relations?.related ?? []).includes(o.number)) return NOTHING;
  const event = (s: Snapshot, to: Snapshot) => ({
    kind: 'incident.linked',
    actor: actor.id,
    at,
    data: { with: to.incident.number },
    key: `${s.incident.id}:linked:${to.incident.id}`,
  });
  return { first: { events: [event(here, other)] }, second: { events: [event(other, here)] }, link: { at, by: actor.id } };
}

export function markDuplicate(deps: CoreDeps, incidentId: string, originalId: string, actor: Actor) {
  return changeIncidents(deps, incidentId, originalId, (d, o, at) => decideDuplicate(d, o, actor, at));
}

export function linkIncidents(deps: CoreDeps, incidentId: string, otherId: string, actor: Actor) {
  return changeIncidents(deps, incidentId, otherId, (h, o, at) => decideLink(h, o, actor, at));
}
