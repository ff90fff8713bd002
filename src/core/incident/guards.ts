import { UserError, type IncidentAction, type Role } from '../errors';
import { isOpen, label, type Actor, type Incident } from '../model';

/** Resolve, cancel, severity and commander belong to the commander, the declarer and admins. */
export function requireManager(actor: Actor, incident: Incident, action: IncidentAction): void {
  if (actor.isAdmin || actor.id === incident.commander || actor.id === incident.declaredBy) return;
  const can: Role[] = [];
  if (incident.commander) can.push({ role: 'commander', user: incident.commander });
  if (incident.declaredBy !== incident.commander) can.push({ role: 'declarer', user: incident.declaredBy });
  can.push({ role: 'admin' });
  throw new UserError({ code: 'not_allowed', incident: label(incident), action, can });
}

/** Ticking steps and acknowledging are for the people working the incident, in its room. */
export function requireParticipant(actor: Actor, incident: Incident, action: IncidentAction): void {
  if (actor.inChannel) return;
  throw new UserError({ code: 'not_participant', incident: label(incident), action, channel: incident.channelId });
}

/** Refuses changes to an incident that has ended; the reply says how to carry on instead. */
export function requireOpen(incident: Incident, action: IncidentAction): void {
  if (isOpen(incident)) return;
  throw new UserError({
    code: 'ended',
    incident: label(incident),
    status: incident.status as 'resolved' | 'cancelled',
    action,
    runbook: incident.runbookId,
  });
}
