import { UserError } from '../errors';
import type { Change } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireParticipant } from './guards';
import { label, type Actor, type Snapshot } from '../model';
import { checkedText } from './text-limits';
import { edgeCaseId, edgeCaseOf, type EdgeCaseRef } from '../runbook/edge-cases';
import type { Runbook } from '../runbook/schema';

/**
 * An edge case happened: the checklist then shows it as happened, and the post-mortem lists it with
 * its fallback. Once per case: a second click (a double click, a colleague at the same moment) finds
 * it recorded under the lock and writes nothing; the event's key makes the same true of a replay.
 * Runbook-level cases keep the key they always had (`<incident>:edge:<n>`).
 */
export function decideEdgeCase(s: Snapshot, runbook: Runbook, actor: Actor, ref: EdgeCaseRef, at: Date, note?: string): Change {
  requireParticipant(actor, s.incident, 'record_edge_case');
  if (!edgeCaseOf(runbook, ref)) {
    if (ref.step !== null) throw new UserError({ code: 'unknown_edge_case', incident: label(s.incident), number: ref.n, count: 0, case: edgeCaseId(ref) });
    throw new UserError({ code: 'unknown_edge_case', incident: label(s.incident), number: ref.n, count: runbook.edge_cases.length });
  }
  if ((s.edgeCasesHit ?? []).some((h) => h.step === ref.step && h.n === ref.n)) return { events: [] };
  const text = checkedText(note, 'summary');
  return {
    events: [
      {
        kind: 'edge_case.hit',
        actor: actor.id,
        at,
        data: { case: ref.n, ...(ref.step ? { step: ref.step } : {}), note: text },
        key: `${s.incident.id}:edge:${edgeCaseId(ref)}`,
      },
    ],
    edgeCaseHit: { step: ref.step, n: ref.n, by: actor.id, at },
  };
}

export function recordEdgeCase(deps: CoreDeps, incidentId: string, actor: Actor, ref: EdgeCaseRef, note?: string) {
  return changeIncident(deps, incidentId, (s, at) => decideEdgeCase(s, deps.catalog.forIncident(s.incident.runbookId), actor, ref, at, note));
}
