import { UserError } from '../errors';
import type { Change } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireParticipant } from './guards';
import { label, type Actor, type Snapshot } from '../model';
import { checkedText } from './text-limits';

/** One of the runbook's edge cases happened: the post-mortem lists it with its fallback. */
export function decideEdgeCase(s: Snapshot, count: number, actor: Actor, n: number, at: Date, note?: string): Change {
  requireParticipant(actor, s.incident, 'record_edge_case');
  if (n < 1 || n > count) throw new UserError({ code: 'unknown_edge_case', incident: label(s.incident), number: n, count });
  const text = checkedText(note, 'summary');
  return { events: [{ kind: 'edge_case.hit', actor: actor.id, at, data: { case: n, note: text }, key: `${s.incident.id}:edge:${n}` }] };
}

export function recordEdgeCase(deps: CoreDeps, incidentId: string, actor: Actor, n: number, note?: string) {
  return changeIncident(deps, incidentId, (s, at) => decideEdgeCase(s, deps.catalog.forIncident(s.incident.runbookId).edge_cases.length, actor, n, at, note));
}
