import { UserError } from '../errors';
import type { Change, NewJob } from '../ports';
import type { Runbook } from '../runbook/schema';
import { changeIncident } from './change';
import { unknownRunbook } from './declare-incident';
import type { CoreDeps } from './deps';
import { diagnoseWithinSeconds, diagnosisDueJob } from './diagnosis';
import { escalationDueJob, nextLevel } from './escalation';
import { requireManager, requireOpen } from './guards';
import { autoProbes, queueProbes } from './probes';
import { checkedText } from './text-limits';
import { awaitingCause, checklistGeneration, label, type Actor, type Snapshot } from '../model';

/**
 * A hand-off to another runbook (pdf-404 found a storage 403) is the same outage: the incident
 * keeps its row, room, clock, commander and timeline, and only its runbook moves on. The new
 * runbook's checklist becomes the next generation of steps; the old one stays stored, done steps
 * and all, and is shown read-only. The class follows the new runbook, so reports count the outage
 * once, under what it turned out to be.
 *
 * From the switch on, the new runbook rules: its probes run at once, and its diagnose_within and
 * escalation ladder are queued again, still counted from the declaration (at once if already
 * past). Levels already fired stay fired and are not paged again; the ladder goes on from the next
 * level with the new runbook's targets. Jobs queued for the old runbook carry its generation and do
 * nothing when they run.
 */
export function decideRunbookSwitch(s: Snapshot, to: Runbook, actor: Actor, at: Date, reason: string | null, others: string[]): Change {
  const i = s.incident;
  requireOpen(i, 'switch_runbook');
  requireManager(actor, i, 'switch_runbook');
  if (to.id === i.runbookId) throw new UserError({ code: 'same_runbook', incident: label(i), runbook: to.id, others });
  const generation = checklistGeneration(s) + 1;
  const probes = queueProbes({ ...i, runbookId: to.id }, autoProbes(to), actor.id, at, 'runbook', `${i.id}:probes:runbook:g${generation}`);
  const jobs: NewJob[] = [...(probes.jobs ?? [])];
  if (awaitingCause(i)) jobs.push(diagnosisDueJob(i, to, generation));
  const next = i.acknowledgedAt ? null : nextLevel(s, to);
  const level = next ? escalationDueJob(i, to, next.level, generation) : null;
  if (level) jobs.push({ ...level, runAt: new Date(Math.max(level.runAt.getTime(), at.getTime())) });
  return {
    // The reports count "diagnosed in time" against the runbook that rules from now on, like the clock.
    incident: { runbookId: to.id, class: to.class, diagnoseWithinSeconds: diagnoseWithinSeconds(to) },
    runbookChange: {
      generation,
      from: i.runbookId,
      to: to.id,
      at,
      by: actor.id,
      reason,
      steps: to.steps.map((st, position) => ({ stepId: st.id, position, title: st.title })),
    },
    events: [
      {
        kind: 'runbook.changed',
        actor: actor.id,
        at,
        data: { from: i.runbookId, to: to.id, reason, class: to.class },
        key: `${i.id}:runbook:g${generation}`,
      },
      ...probes.events,
    ],
    jobs,
    ...(probes.probeRuns ? { probeRuns: probes.probeRuns } : {}),
  };
}

/** `/incident runbook <id or alias> [reason]` and the header's Switch runbook menu. */
export async function switchRunbook(deps: CoreDeps, incidentId: string, runbook: string, actor: Actor, reason?: string) {
  const to = deps.catalog.find(runbook);
  if (!to) throw unknownRunbook(deps.catalog, runbook, true);
  const why = checkedText(reason, 'reason');
  return changeIncident(deps, incidentId, (s, at) =>
    decideRunbookSwitch(
      s,
      to,
      actor,
      at,
      why,
      deps.catalog.ids().filter((id) => id !== s.incident.runbookId),
    ),
  );
}
