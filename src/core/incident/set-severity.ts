import { changeIncident } from './change';
import { UserError } from '../errors';
import type { CoreDeps } from './deps';
import { requireManager, requireOpen } from './guards';
import type { Actor } from './model';

export async function setSeverity(deps: CoreDeps, incidentId: string, severity: number, actor: Actor) {
  if (!Number.isInteger(severity) || severity < 1 || severity > 4) {
    throw new UserError('invalid_input', 'Severity is a number from 1 (worst) to 4. Try `/incident sev 2`.');
  }
  return changeIncident(deps, incidentId, (s, at) => {
    requireOpen(s.incident, 'change the severity of');
    requireManager(actor, s.incident, 'change the severity of');
    if (s.incident.severity === severity) return { events: [] };
    return {
      incident: { severity },
      events: [
        {
          kind: 'incident.severity_changed',
          actor: actor.id,
          at,
          data: { from: s.incident.severity, to: severity },
          key: `${s.incident.id}:severity:v${s.incident.version}`,
        },
      ],
    };
  });
}
