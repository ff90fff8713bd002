import { UserError } from '../errors';
import type { Change, NewJob } from '../ports';
import { changeIncident } from './change';
import { severityRaisePage } from './escalation';
import type { Runbook } from '../runbook/schema';
import type { CoreDeps } from './deps';
import { requireManager, requireOpen } from './guards';
import type { Actor, Snapshot } from '../model';

/** With `runbook`, raising the severity to a paging level pages the rotation at once (`severityRaisePage`). */
export function decideSeverity(s: Snapshot, severity: number, actor: Actor, at: Date, runbook?: Runbook): Change {
  if (!Number.isInteger(severity) || severity < 1 || severity > 4) throw new UserError({ code: 'invalid_input', field: 'severity' });
  requireOpen(s.incident, 'set_severity');
  requireManager(actor, s.incident, 'set_severity');
  if (s.incident.severity === severity) return { events: [] };
  const version = s.incident.version + 1;
  // A rise to SEV1 or SEV2 is also said in the announce channel, once: the job is keyed by the
  // version this change makes, and a replayed change writes nothing.
  const announce: NewJob[] =
    severity <= 2 && severity < s.incident.severity
      ? [
          {
            kind: 'chat.announce',
            payload: { incidentId: s.incident.id, platform: s.incident.platform, from: s.incident.severity, to: severity, version },
            dedupeKey: `${s.incident.id}:announce:sev${severity}:v${version}`,
            runAt: at,
          },
        ]
      : [];
  const page = runbook ? severityRaisePage(s, runbook, severity, actor, at) : { events: [] };
  const jobs = [...announce, ...(page.jobs ?? [])];
  return {
    incident: { severity },
    ...(page.escalation ? { escalation: page.escalation } : {}),
    ...(jobs.length > 0 ? { jobs } : {}),
    events: [
      {
        kind: 'incident.severity_changed',
        actor: actor.id,
        at,
        data: { from: s.incident.severity, to: severity },
        key: `${s.incident.id}:severity:v${s.incident.version}`,
      },
      ...page.events,
    ],
  };
}

export async function setSeverity(deps: CoreDeps, incidentId: string, severity: number, actor: Actor) {
  if (!Number.isInteger(severity) || severity < 1 || severity > 4) throw new UserError({ code: 'invalid_input', field: 'severity' });
  return changeIncident(deps, incidentId, (s, at) => decideSeverity(s, severity, actor, at, deps.catalog.forIncident(s.incident.runbookId)));
}
