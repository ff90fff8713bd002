import { z } from 'zod';
import type { Incident } from '../model';
import type { ReplyTo } from '../ports';

/**
 * What an unrouted alert's "Declare as <runbook>" button carries, on every surface (a Slack
 * button's value, an Adaptive Card's data, a console form's field): which alert, and which runbook
 * to declare it as. Kept apart from `actions.ts`, whose payloads all name an incident that exists.
 */
const choice = z.object({ s: z.enum(['alertmanager', 'generic']), f: z.string().min(1).max(200), r: z.string().min(1).max(40) });

export interface AlertOfferChoice {
  source: 'alertmanager' | 'generic';
  fingerprint: string;
  runbook: string;
}

/**
 * Declares the chosen alert on the surface it was clicked on, led by `actor` (as that surface names
 * people), in the `workspace` its requests carry (so the incident's own buttons work there);
 * `created` false: the alert's incident was open already (a second click, another person's).
 */
export type DeclareAlert = (
  choice: AlertOfferChoice,
  actor: string,
  where: { workspace: string | null; replyTo?: ReplyTo },
) => Promise<{ incident: Incident; created: boolean }>;

export function encodeAlertChoice(c: AlertOfferChoice): string {
  return JSON.stringify({ s: c.source, f: c.fingerprint, r: c.runbook });
}

/** Null for anything this release did not write (an old or forged button). */
export function decodeAlertChoice(value: unknown): AlertOfferChoice | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const parsed = choice.safeParse(JSON.parse(value));
    return parsed.success ? { source: parsed.data.s, fingerprint: parsed.data.f, runbook: parsed.data.r } : null;
  } catch {
    return null;
  }
}
