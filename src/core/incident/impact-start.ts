import { UserError } from '../errors';
import type { Change } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireOpen, requireParticipant } from './guards';
import { label, type Actor, type Snapshot } from '../model';

/**
 * `/incident started <time>`: when impact began, as a person knows it (a graph, a customer's
 * first ticket). MTTR from impact start and time to detect are counted from it.
 *
 * The time is an instant (ISO 8601 with an offset or Z), or a wall-clock time read in the zone of
 * the person who typed it (the team's, TEAM_TZ, when their platform does not say): `02:40`,
 * `2026-12-05 02:40`, `2026-12-05T02:40`. A bare `02:40` is the one nearest the declaration, so
 * `23:50` typed for an incident declared at 00:10 is the evening before, and `03:10` for one
 * declared at 03:00 is refused as after it, not read as yesterday.
 */
export type TypedTime = { kind: 'instant'; at: Date } | { kind: 'local'; date: string | null; hour: number; minute: number };

/** More than this before the declaration is a typo (a wrong month), not an impact start. */
export const IMPACT_START_MAX_DAYS = 30;

/** An alert's start up to this far after the declaration is the two clocks disagreeing, read as the declaration. */
export const ALERT_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The impact start an alert's `starts_at` gives an incident declared at `declaredAt`: never after
 * the declaration. A start a few minutes late is clock skew between the alert's source and the
 * bot, so it counts as the declaration; later than that it is left out (the alert.received event
 * still keeps it) rather than give a negative time to detect. An early start is kept however early:
 * unlike a typed time it is no typo, an alert can fire for weeks before anyone routes it.
 */
export function alertImpactStart(startsAt: Date | null, declaredAt: Date): Date | null {
  if (!startsAt) return null;
  const late = startsAt.getTime() - declaredAt.getTime();
  if (late > ALERT_CLOCK_SKEW_MS) return null;
  return late > 0 ? declaredAt : startsAt;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL = /^(?:(\d{4}-\d{2}-\d{2})[T ])?(\d{1,2}):(\d{2})$/i;

/** The words after `started`, or null when they are not a time this command takes. */
export function parseTypedTime(text: string): TypedTime | null {
  const t = text.trim().replace(/\s+/g, ' ');
  const instant = INSTANT.exec(t);
  if (instant) {
    const [y, mo, d, h, mi, s] = instant.slice(1, 7).map((x) => Number(x ?? 0)) as number[];
    if (!realDate(y!, mo!, d!) || h! > 23 || mi! > 59 || s! > 59) return null;
    const at = new Date(t.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(at.getTime()) ? null : { kind: 'instant', at };
  }
  const local = LOCAL.exec(t);
  if (!local) return null;
  const date = local[1] ?? null;
  const hour = Number(local[2]);
  const minute = Number(local[3]);
  if (hour > 23 || minute > 59) return null;
  if (date && !realDate(...(date.split('-').map(Number) as [number, number, number]))) return null;
  return { kind: 'local', date, hour, minute };
}

function realDate(y: number, mo: number, d: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const parts = new Map<string, Intl.DateTimeFormat>();

function zoneParts(at: Date, tz: string): { y: number; mo: number; d: number; h: number; mi: number } {
  let f = parts.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    parts.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return { y: Number(p.year), mo: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute) };
}

/** The instant a wall-clock time names in `tz`; in a DST gap or overlap, the earlier reading. */
function zonedInstant(y: number, mo: number, d: number, h: number, mi: number, tz: string): Date {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const offsetAt = (ms: number) => {
    const p = zoneParts(new Date(ms), tz);
    return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi) - Math.floor(ms / 60_000) * 60_000;
  };
  const first = wall - offsetAt(wall);
  const second = wall - offsetAt(first);
  return new Date(Math.min(first, second));
}

/** What the typed time means for an incident declared at `declaredAt`, read in `tz`. */
export function typedInstant(t: TypedTime, tz: string, declaredAt: Date): Date {
  if (t.kind === 'instant') return t.at;
  if (t.date) {
    const [y, mo, d] = t.date.split('-').map(Number) as [number, number, number];
    return zonedInstant(y, mo, d, t.hour, t.minute, tz);
  }
  // The same wall-clock time on the declaration's day, the day before and the day after: the nearest.
  const day = zoneParts(declaredAt, tz);
  const candidates = [-1, 0, 1].map((shift) => {
    const base = new Date(Date.UTC(day.y, day.mo - 1, day.d + shift));
    return zonedInstant(base.getUTCFullYear(), base.getUTCMonth() + 1, base.getUTCDate(), t.hour, t.minute, tz);
  });
  return candidates.reduce((a, b) => (Math.abs(b.getTime() - declaredAt.getTime()) < Math.abs(a.getTime() - declaredAt.getTime()) ? b : a));
}

/**
 * Anyone in the channel may say when impact began, while the incident is open or after it is
 * resolved (often only the post-mortem finds out); a cancelled incident counts nowhere. Never after
 * the declaration, nor more than 30 days before it. The same time again changes nothing.
 */
export function decideImpactStart(s: Snapshot, startedAt: Date, actor: Actor, at: Date, tz: string): Change {
  const i = s.incident;
  if (i.status === 'cancelled') requireOpen(i, 'set_impact_start');
  requireParticipant(actor, i, 'set_impact_start');
  const before = i.declaredAt.getTime() - startedAt.getTime();
  if (before < 0) throw new UserError({ code: 'impact_start', incident: label(i), reason: 'after_declaration', at: startedAt, declaredAt: i.declaredAt, tz });
  if (before > IMPACT_START_MAX_DAYS * 86_400_000)
    throw new UserError({ code: 'impact_start', incident: label(i), reason: 'too_early', at: startedAt, declaredAt: i.declaredAt, tz });
  if (i.impactStartedAt?.getTime() === startedAt.getTime()) return { events: [] };
  return {
    incident: { impactStartedAt: startedAt },
    events: [
      {
        kind: 'impact.start_set',
        actor: actor.id,
        at,
        data: { from: i.impactStartedAt?.toISOString() ?? null, to: startedAt.toISOString() },
        key: `${i.id}:impact_start:v${i.version}`,
      },
    ],
  };
}

/** `tz`: the zone the person typed the time in (theirs when the platform says it, else TEAM_TZ). */
export async function setImpactStart(deps: CoreDeps, incidentId: string, typed: TypedTime, actor: Actor, tz: string = deps.tz) {
  return changeIncident(deps, incidentId, (s, at) => decideImpactStart(s, typedInstant(typed, tz, s.incident.declaredAt), actor, at, tz));
}
