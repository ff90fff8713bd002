import { UserError } from '../errors';
import type { Change, NewJob } from '../ports';
import { durationMs, webhookName, type Runbook } from '../runbook/schema';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireOpen, requireParticipant } from './guards';
import { checklistGeneration, isOpen, label, type Actor, type Incident, type Snapshot } from '../model';
import { checkedText } from './text-limits';

/**
 * The runbook's on-call ladder. Level n (1-based) is due `escalation[n-1].after` after the
 * declare, whenever the level before it fired: a level that fired late (Redis lost its job) or early
 * (by hand) does not move the ones after it. Its job is queued with the declare (level 1) or with
 * the level before it; one already overdue runs at once. When it runs
 * it decides from the locked incident: nobody acknowledged and the incident is open, so it fires.
 * Each firing writes a row the database keeps unique per incident and level, so however many bots
 * run the job, the level fires once. Only a responder's acknowledgement (or the incident's end)
 * stops the ladder: working the incident does not.
 */
export function escalationDueJob(incident: Pick<Incident, 'id' | 'declaredAt'>, runbook: Runbook, level: number, generation = 1): NewJob | null {
  const rung = runbook.escalation[level - 1];
  if (!rung) return null;
  // After a switch of runbook the level is queued again for the new ladder, under its own key.
  const switched = generation > 1;
  return {
    kind: 'escalation.due',
    payload: { incidentId: incident.id, level, ...(switched ? { generation } : {}) },
    dedupeKey: `${incident.id}:escalation:${level}:due${switched ? `:g${generation}` : ''}`,
    runAt: new Date(incident.declaredAt.getTime() + durationMs(rung.after)),
  };
}

/** Whether an incident of this severity pages the ladder's first level (the rotation): SEV1 … `page_at_severity`. */
export function pagesFirstLevel(runbook: Runbook, severity: number): boolean {
  return severity <= runbook.page_at_severity;
}

/**
 * The ladder's first timed level, queued with the declare: level 1, or level 2 for an incident
 * less severe than the runbook's `page_at_severity` (its level 1 fires only if the severity is raised).
 */
export function firstLevelJob(incident: Pick<Incident, 'id' | 'declaredAt' | 'severity'>, runbook: Runbook): NewJob | null {
  return escalationDueJob(incident, runbook, pagesFirstLevel(runbook, incident.severity) ? 1 : 2);
}

/** The level that would fire next and when, or null when the ladder has no more levels. */
export function nextLevel(s: Snapshot, runbook: Runbook): { level: number; targets: string[]; due: Date } | null {
  const last = (s.escalations ?? []).at(-1);
  const level = last ? last.level + 1 : pagesFirstLevel(runbook, s.incident.severity) ? 1 : 2;
  const job = escalationDueJob(s.incident, runbook, level);
  return job ? { level, targets: runbook.escalation[level - 1]!.notify, due: job.runAt } : null;
}

/** `generation`: the checklist a timed level was queued for (1: the declare's). */
export type EscalationTrigger = { kind: 'timeout'; level: number; generation?: number } | { kind: 'manual'; actor: Actor; note: string | null };

export function decideEscalation(s: Snapshot, runbook: Runbook, at: Date, trigger: EscalationTrigger): Change {
  const i = s.incident;
  const fired = s.escalations ?? [];
  if (trigger.kind === 'timeout') {
    // The ladder stops at the first acknowledgement and when the incident ends.
    if (!isOpen(i) || i.acknowledgedAt) return { events: [] };
    if (fired.some((f) => f.level === trigger.level)) return { events: [] };
    // Queued for a runbook the incident was switched away from: the switch queued the new ladder's.
    if ((trigger.generation ?? 1) !== checklistGeneration(s)) return { events: [] };
    return fire(s, runbook, at, trigger.level, null, null);
  }
  requireOpen(i, 'escalate');
  requireParticipant(trigger.actor, i, 'escalate');
  const level = Math.max(0, ...fired.map((f) => f.level)) + 1;
  if (!runbook.escalation[level - 1]) {
    throw new UserError({ code: 'no_more_levels', incident: label(i), levels: runbook.escalation.length, channel: i.channelId });
  }
  // Asking for help is not an acknowledgement: the next level is paged now, and the ladder goes on.
  return fire(s, runbook, at, level, trigger.actor.id, trigger.note);
}

/**
 * Raising the severity to a paging level (`page_at_severity` or worse) of an incident declared less
 * severe pages the rotation its severity skipped: level 1 fires now if it is due (else its job is
 * queued for its time). Nothing when a responder already acknowledged or level 1 already fired.
 */
export function severityRaisePage(s: Snapshot, runbook: Runbook, severity: number, actor: Actor, at: Date): Change {
  const i = s.incident;
  if (!isOpen(i) || i.acknowledgedAt) return { events: [] };
  if (!pagesFirstLevel(runbook, severity) || pagesFirstLevel(runbook, i.severity)) return { events: [] };
  if ((s.escalations ?? []).some((f) => f.level === 1)) return { events: [] };
  const job = escalationDueJob(i, runbook, 1, checklistGeneration(s));
  if (!job) return { events: [] };
  if (job.runAt.getTime() > at.getTime()) return { events: [], jobs: [job] };
  return fire(s, runbook, at, 1, actor.id, `SEV${severity}`, 'severity');
}

function fire(s: Snapshot, runbook: Runbook, at: Date, level: number, by: string | null, note: string | null, why: 'manual' | 'severity' = 'manual'): Change {
  const i = s.incident;
  const rung = runbook.escalation[level - 1];
  if (!rung) return { events: [] };
  const reason = by ? why : 'timeout';
  const chat = rung.notify.filter((t) => webhookName(t) === null);
  const webhooks = rung.notify.map(webhookName).filter((w): w is string => w !== null);
  const next = escalationDueJob(i, runbook, level + 1, checklistGeneration(s));
  const jobs: NewJob[] = [];
  if (chat.length > 0) {
    jobs.push({ kind: 'chat.escalate', payload: { incidentId: i.id, platform: i.platform, level }, dedupeKey: escalationChatKey(i.id, level), runAt: at });
  }
  for (const w of webhooks) {
    jobs.push({
      kind: 'webhook.call',
      payload: { incidentId: i.id, webhook: w, action: 'trigger', level },
      dedupeKey: `${i.id}:escalation:${level}:webhook:${w}`,
      runAt: at,
    });
  }
  if (next) jobs.push(next);
  return {
    escalation: { level, targets: rung.notify, reason, at, by, note },
    events: [
      {
        kind: 'escalation.fired',
        actor: by ?? 'incident-bot',
        at,
        data: { level, targets: rung.notify, reason, ...(note ? { note } : {}) },
        key: `${i.id}:escalation:${level}`,
      },
    ],
    jobs,
  };
}

/**
 * When the incident ends, webhooks that were triggered hear that it is over (PagerDuty's
 * `resolve`), once each.
 */
export function webhookResolveJobs(s: Snapshot, at: Date): NewJob[] {
  const names = new Set((s.escalations ?? []).flatMap((f) => f.targets.map(webhookName)).filter((w): w is string => w !== null));
  return [...names].map((w) => ({
    kind: 'webhook.call',
    payload: { incidentId: s.incident.id, webhook: w, action: 'resolve', level: null },
    dedupeKey: `${s.incident.id}:webhook:${w}:resolve`,
    runAt: at,
  }));
}

export async function checkEscalationDue(deps: CoreDeps, incidentId: string, level: number, generation?: number) {
  return changeIncident(deps, incidentId, (s, at) =>
    decideEscalation(s, deps.catalog.forIncident(s.incident.runbookId), at, { kind: 'timeout', level, ...(generation ? { generation } : {}) }),
  );
}

/** `/incident escalate [reason]` and the Escalate button: the next level, now. */
export async function escalateNow(deps: CoreDeps, incidentId: string, actor: Actor, note?: string) {
  const text = checkedText(note, 'reason');
  return changeIncident(deps, incidentId, (s, at) =>
    decideEscalation(s, deps.catalog.forIncident(s.incident.runbookId), at, { kind: 'manual', actor, note: text }),
  );
}

/** The dedupe key of a level's chat delivery (`chat.escalate`). */
export function escalationChatKey(incidentId: string, level: number): string {
  return `${incidentId}:escalation:${level}:chat`;
}
