import { isOpen, label, type Incident, type Snapshot } from '../model';
import { validationChecks, type Runbook, type ValidationCheck } from '../runbook/schema';

/**
 * What resolving asks for, on every surface: the runbook's quick validation as checkboxes (a Slack
 * modal, Teams toggles, a console form) and the resolution. Checks are numbered from 1.
 */
export interface ResolveFormView {
  incidentId: string;
  /** Short enough for a Slack modal's title (24 characters). */
  title: string;
  heading: string;
  intro: string;
  checks: Array<ValidationCheck & { probeTitles: string[] }>;
  /** Which probes resolving runs again, or null when the checks name none. */
  rerun: string | null;
  summaryLabel: string;
  summaryHint: string;
  submit: string;
}

/** A resolution is at most 500 characters (text-limits.ts); the inputs say so before a refusal does. */
export const RESOLUTION_MAX = 500;

export function resolveFormView(s: Snapshot, runbook: Runbook): ResolveFormView {
  const i = s.incident;
  const title = (id: string) => runbook.probes.find((p) => p.id === id)?.title ?? id;
  const checks = validationChecks(runbook).map((c) => ({ ...c, probeTitles: c.probes.map(title) }));
  const probes = [...new Set(checks.flatMap((c) => c.probeTitles))];
  return {
    incidentId: i.id,
    title: `Resolve ${label(i)}`,
    heading: `${label(i)} · ${i.title}`,
    intro:
      checks.length > 0
        ? 'Tick each check you confirmed as a standard user (never an admin), through the UI and /api/v1/me. Only an incident admin can resolve with checks left unticked, and that is recorded.'
        : 'This runbook has no quick validation checks.',
    checks,
    rerun: probes.length > 0 ? `Resolving runs these checks again: ${probes.join(', ')}.` : null,
    summaryLabel: 'Resolution',
    summaryHint: 'What fixed it, for the timeline and the post-mortem (optional).',
    submit: 'Resolve',
  };
}

/** The form, on the header of an open incident. */
export function openResolveForm(s: Snapshot, runbook: Runbook): ResolveFormView | null {
  return isOpen(s.incident) ? resolveFormView(s, runbook) : null;
}

/** The validation an `incident.resolved` event recorded, in words; null when none was asked. */
export function validationWords(data: Record<string, unknown>): string | null {
  const v = data.validation;
  if (typeof v !== 'object' || v === null) return null;
  const nums = (key: string) => {
    const list = (v as Record<string, unknown>)[key];
    return Array.isArray(list) ? list.filter((n): n is number => typeof n === 'number') : [];
  };
  const checks = nums('checks');
  const unconfirmed = nums('unconfirmed');
  if (unconfirmed.length === 0) return `quick validation confirmed: checks ${checks.join(', ')}`;
  return `quick validation NOT confirmed: check${unconfirmed.length === 1 ? '' : 's'} ${unconfirmed.join(', ')} left unticked by an admin${
    checks.length > 0 ? `; confirmed ${checks.join(', ')}` : ''
  }`;
}

/** The incident's recorded validation in one line, for the post-mortem; null when none was asked. */
export function incidentValidationLine(i: Pick<Incident, 'validationConfirmed' | 'validatedChecks'>, runbook: Runbook): string | null {
  if (i.validationConfirmed === null || i.validationConfirmed === undefined) return null;
  const checks = validationChecks(runbook);
  const confirmed = new Set(i.validatedChecks ?? []);
  const left = checks.filter((c) => !confirmed.has(c.number));
  if (i.validationConfirmed) return `Confirmed: all ${confirmed.size} checks were ticked at resolve.`;
  return `Not confirmed: resolved by an admin with ${left.length} of ${checks.length} checks unticked (${left.map((c) => c.number).join(', ')}).`;
}
