import { randomUUID } from 'node:crypto';
import type { JobPayload } from '../jobs';
import type { CoreDeps } from './deps';
import { declareIncident, unknownRunbook, type DeclareInput } from './declare-incident';
import { checkedText } from './text-limits';

export type AcceptedDeclare = JobPayload<'incident.declare'>;

/** The outbox key of a recorded declare: one per platform request, so a replay records nothing. */
export function acceptKey(platform: string, requestKey: string): string {
  return `declare:${platform}:${requestKey}`;
}

/**
 * Records a declare to be made right after the ack: one row, the least a bot that must not lose a
 * declare can write before it answers, where the declare itself writes the incident, its
 * checklist, probes and jobs (a score of rows). Everything that could refuse it is checked first,
 * so what is recorded is sure to be declared: the process that recorded it declares it at once,
 * and if that process dies, the outbox sweep queues it for any worker. The incident's id, time and
 * number are fixed here: it was declared when the person asked, and the ack can name it.
 * `accepted` is false for a replay, whose number is the first's.
 */
export async function acceptDeclare(deps: CoreDeps, input: DeclareInput & { requestKey: string }): Promise<{ accepted: boolean; number: number }> {
  if (!deps.catalog.find(input.runbook)) throw unknownRunbook(deps.catalog, input.runbook);
  const summary = checkedText(input.summary, 'summary');
  const at = deps.clock.now();
  const payload: AcceptedDeclare = {
    id: randomUUID(),
    at: at.toISOString(),
    runbook: input.runbook,
    summary,
    actor: input.actor.id,
    platform: input.platform,
    workspace: input.workspace,
    replyTo: input.replyTo ?? null,
    requestKey: input.requestKey,
  };
  return deps.store.accept({ kind: 'incident.declare', payload, dedupeKey: acceptKey(input.platform, input.requestKey), runAt: at });
}

/** Makes a recorded declare. A second run (a retry, the sweep after a crash) finds the first's incident. */
export function declareAccepted(deps: CoreDeps, p: AcceptedDeclare): Promise<{ created: boolean }> {
  return declareIncident(deps, {
    id: p.id,
    at: new Date(p.at),
    runbook: p.runbook,
    summary: p.summary ?? undefined,
    actor: { id: p.actor },
    platform: p.platform,
    workspace: p.workspace,
    replyTo: p.replyTo ?? undefined,
    requestKey: p.requestKey,
    number: p.number,
  });
}
