import type { Change } from '../ports';
import { UserError } from '../errors';
import { changeIncident } from './change';
import { webhookResolveJobs } from './escalation';
import type { CoreDeps } from './deps';
import { checkedText } from './text-limits';
import { requireManager, requireOpen } from './guards';
import { label, type Actor, type Snapshot } from '../model';
import { postmortemOnResolve } from './postmortem';
import { queueProbes } from './probes';
import { validationChecks, validationProbes, type Runbook, type ValidationCheck } from '../runbook/schema';

/**
 * Which of the runbook's quick_validation checks the resolver confirmed, by number (from 1);
 * 'all' for `resolve --validated`, which confirms every check at once.
 */
export interface Validation {
  confirmed: number[] | 'all';
}

/** What was confirmed, as recorded on the incident and its `incident.resolved` event. */
export interface ValidationOutcome {
  confirmed: boolean;
  checks: number[];
  unconfirmed: number[];
}

/** `opening` given: a resolve at the runbook's post-mortem severity or worse opens the post-mortem too. */
export function decideResolve(
  s: Snapshot,
  actor: Actor,
  at: Date,
  summary?: string,
  opening?: { runbook: Runbook; tz: string },
  validation?: Validation,
): Change {
  if (s.incident.status === 'resolved') return { events: [] };
  requireOpen(s.incident, 'resolve');
  requireManager(actor, s.incident, 'resolve');
  const resolution = checkedText(summary, 'summary');
  const checks = opening ? validationChecks(opening.runbook) : [];
  const outcome = checks.length > 0 ? validate(s, actor, checks, validation ?? { confirmed: [] }) : null;
  const postmortem = opening ? postmortemOnResolve(s, opening.runbook, at, opening.tz) : { events: [] };
  // The probes behind the checks run again, so the header shows the fix holding (or not) after the resolve.
  const rerun =
    opening && outcome ? queueProbes(s.incident, validationProbes(opening.runbook), actor.id, at, 'validation', `${s.incident.id}:validation`) : { events: [] };
  return {
    incident: {
      status: 'resolved',
      resolvedAt: at,
      resolution,
      ...(outcome ? { validationConfirmed: outcome.confirmed, validatedChecks: outcome.checks } : {}),
    },
    events: [
      {
        kind: 'incident.resolved',
        actor: actor.id,
        at,
        data: { summary: resolution, ...(outcome ? { validation: outcome } : {}) },
        key: `${s.incident.id}:resolved`,
      },
      ...postmortem.events,
      ...rerun.events,
    ],
    // The ladder stops by itself (a due level finds the incident ended); webhooks are told.
    jobs: [...webhookResolveJobs(s, at), ...(postmortem.jobs ?? []), ...(rerun.jobs ?? [])],
    ...(postmortem.postmortem ? { postmortem: postmortem.postmortem } : {}),
    ...(rerun.probeRuns ? { probeRuns: rerun.probeRuns } : {}),
  };
}

/**
 * Every check must be confirmed, except by an admin: admins can still resolve without it, and
 * that is recorded too. Anyone else is told which checks are left.
 */
function validate(s: Snapshot, actor: Actor, checks: ValidationCheck[], v: Validation): ValidationOutcome {
  const asked = v.confirmed === 'all' ? null : new Set(v.confirmed);
  const confirmed = checks.filter((c) => asked === null || asked.has(c.number));
  const unconfirmed = checks.filter((c) => !confirmed.includes(c));
  if (unconfirmed.length > 0 && !actor.isAdmin) {
    throw new UserError({ code: 'not_validated', incident: label(s.incident), unconfirmed: unconfirmed.map((c) => ({ number: c.number, text: c.text })) });
  }
  return { confirmed: unconfirmed.length === 0, checks: confirmed.map((c) => c.number), unconfirmed: unconfirmed.map((c) => c.number) };
}

/**
 * Before a resolve that confirmed nothing yet: the checks to ask for, after the same refusals a
 * resolve would meet (an ended incident, someone who may not resolve it). Reads only.
 */
export function checksToConfirm(s: Snapshot, actor: Actor, runbook: Runbook): ValidationCheck[] {
  requireOpen(s.incident, 'resolve');
  requireManager(actor, s.incident, 'resolve');
  return validationChecks(runbook);
}

export async function resolve(deps: CoreDeps, incidentId: string, actor: Actor, summary: string | undefined, validation: Validation) {
  return changeIncident(deps, incidentId, (s, at) =>
    decideResolve(s, actor, at, summary, { runbook: deps.catalog.forIncident(s.incident.runbookId), tz: deps.tz }, validation),
  );
}
