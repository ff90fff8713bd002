import { UserError } from '../errors';
import type { Change } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireManager, requireOpen } from './guards';
import type { Actor, Snapshot } from '../model';

/** A class as runbooks write theirs: it groups incidents in the reports, and runbooks cover classes. */
export const CLASS_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * Who may change the severity may change the class. A resolved incident may still be classed (it is
 * often clear only afterwards, and it counts in the reports); a cancelled one counts nowhere.
 */
export function decideClass(s: Snapshot, name: string, actor: Actor, at: Date): Change {
  if (!CLASS_NAME.test(name)) throw new UserError({ code: 'invalid_input', field: 'class' });
  if (s.incident.status === 'cancelled') requireOpen(s.incident, 'set_class');
  requireManager(actor, s.incident, 'set_class');
  if (s.incident.class === name) return { events: [] };
  return {
    incident: { class: name },
    events: [{ kind: 'class.changed', actor: actor.id, at, data: { from: s.incident.class, to: name }, key: `${s.incident.id}:class:v${s.incident.version}` }],
  };
}

export async function setClass(deps: CoreDeps, incidentId: string, name: string, actor: Actor) {
  return changeIncident(deps, incidentId, (s, at) => decideClass(s, name, actor, at));
}
