import type { Change } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireParticipant } from './guards';
import type { Actor, Note, Snapshot } from '../model';

/** What goes on the timeline: typed (`note <text>`, checked by the parser) or a pinned message (clipped). */
export interface NewNote {
  text: string;
  /** A pinned message's author; null for a typed note. */
  author: string | null;
  /** A pinned message's permalink. */
  link: string | null;
  /** A pinned message as `<room>/<message id>`: it is added once, whoever pins it and however often. */
  message: string | null;
}

/**
 * Anyone in the incident's room adds to its timeline, while it is open or after (evidence is
 * often found later, for the post-mortem). A typed note is keyed by its request, so a replay adds
 * nothing; a pinned message by the message, so pinning it again, or a colleague pinning it too,
 * adds nothing either: found under the lock, or by the event's key.
 */
export function decideNote(s: Snapshot, actor: Actor, note: NewNote, at: Date, requestId: string): Change {
  requireParticipant(actor, s.incident, 'add_note');
  if (note.message !== null && (s.notes ?? []).some((n) => n.message === note.message)) return { events: [] };
  const key = note.message !== null ? `${s.incident.id}:note:msg:${note.message}` : `${s.incident.id}:note:${requestId}`;
  const added: Note = { ...note, by: actor.id, at };
  return {
    events: [
      {
        kind: 'note.added',
        actor: actor.id,
        at,
        data: {
          text: note.text,
          ...(note.author ? { author: note.author } : {}),
          ...(note.link ? { link: note.link } : {}),
          ...(note.message ? { message: note.message } : {}),
        },
        key,
      },
    ],
    note: added,
  };
}

export function addNote(deps: CoreDeps, incidentId: string, actor: Actor, note: NewNote, requestId: string) {
  return changeIncident(deps, incidentId, (s, at) => decideNote(s, actor, note, at, requestId));
}
