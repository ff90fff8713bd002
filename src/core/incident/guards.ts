import { UserError } from '../errors';
import { label, type Actor, type Incident } from './model';

/** Resolve, cancel, severity and commander belong to the commander, the declarer and admins. */
export function requireManager(actor: Actor, incident: Incident, what: string): void {
  if (actor.isAdmin || actor.id === incident.commander || actor.id === incident.declaredBy) return;
  const who = [
    incident.commander ? `the commander (<@${incident.commander}>)` : null,
    incident.declaredBy !== incident.commander ? `the declarer (<@${incident.declaredBy}>)` : null,
    'an incident admin',
  ].filter((w): w is string => w !== null);
  const list = who.length > 1 ? `${who.slice(0, -1).join(', ')} or ${who[who.length - 1]}` : who[0];
  throw new UserError(
    'not_allowed',
    `Only ${list} can ${what} ${label(incident)}. Ask one of them, or ask the commander to hand over with \`/incident commander @you\`.`,
  );
}

/** Ticking steps and acknowledging are for the people working the incident, in its channel. */
export function requireParticipant(actor: Actor, incident: Incident, what: string): void {
  if (actor.inChannel) return;
  const where = incident.channelId ? `<#${incident.channelId}>` : 'the incident channel';
  throw new UserError('not_allowed', `Join ${where} to ${what} ${label(incident)}: only people in the incident channel can.`);
}

/** Refuses changes to an incident that has ended; says how to carry on instead. */
export function requireOpen(incident: Incident, what: string): void {
  if (incident.status === 'resolved' || incident.status === 'cancelled') {
    throw new UserError(
      'invalid_transition',
      `${label(incident)} is already ${incident.status}, so you cannot ${what} it. If the problem is back, declare a new incident with \`/incident ${incident.playbookId} …\`.`,
    );
  }
}
