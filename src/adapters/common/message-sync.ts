import { createHash } from 'node:crypto';
import type { ChatRef, ChatRefStore, RenderSession } from '../../store/chat-refs';

export type Kind = ChatRef['kind'];

/** One message an incident should show: its kind, its page within the kind, and its content. */
export type Planned<M> = [Kind, number, M];

/**
 * Checklist messages are numbered per incident: generation g's pages (g = 1 for the declare's
 * checklist, one more per switch of runbook) take the page numbers from (g - 1) × 1000, so a
 * switch posts the new checklist as new messages and keeps updating the old ones in place.
 */
export const PAGES_PER_CHECKLIST = 1000;

export function checklistPage(generation: number, page: number): number {
  return (generation - 1) * PAGES_PER_CHECKLIST + page;
}

/** Whether this page number opens a checklist posted by a switch of runbook (its first page, after the first checklist). */
export function opensSwitchedChecklist(kind: Kind, page: number): boolean {
  return kind === 'checklist' && page >= PAGES_PER_CHECKLIST && page % PAGES_PER_CHECKLIST === 0;
}

/** What a platform does to its messages; the sync decides when. */
export interface MessageTransport<M> {
  /** Posts a message the incident does not have yet; returns its platform reference. */
  post(kind: Kind, page: number, message: M): Promise<string>;
  /**
   * Replaces the content of a posted message. Returns the reference of a new message when the
   * old one could not be updated and was posted again instead, else undefined.
   */
  update(ref: ChatRef, message: M): Promise<string | undefined>;
}

/** The digest of a message's content kept in `chat_refs`, to skip updates that would change nothing. */
export function contentHash(message: unknown): string {
  return createHash('sha256').update(JSON.stringify(message)).digest('base64url');
}

/**
 * Runs `render` under the incident's render lock until the version it showed is the latest.
 * `wait`: this render must run itself (setup's), so it queues for the lock instead of stepping aside.
 */
export async function renderLatest(refs: ChatRefStore, incidentId: string, render: (session: RenderSession) => Promise<number>, wait: boolean): Promise<void> {
  await refs.renderLatest(incidentId, render, { wait });
}

/**
 * Brings each planned message up to `version`: posts what has no ref in `room`, updates what was
 * rendered from an older version and whose content changed, and leaves current messages alone.
 * Every message's ref is saved with the version and content hash it now shows.
 */
export async function putAll<M>(
  session: RenderSession,
  room: string,
  messages: Array<Planned<M>>,
  version: number,
  transport: MessageTransport<M>,
): Promise<void> {
  // New messages are posted one after the other, in the order planned (header above checklist).
  // Messages already posted are updated side by side: a click's checklist does not queue behind
  // the header's update.
  const posted = (kind: Kind, page: number) => session.refs.some((r) => r.kind === kind && r.page === page);
  const updates = messages.filter(([kind, page]) => posted(kind, page));
  const posts = messages.filter(([kind, page]) => !posted(kind, page));
  const settled = await Promise.allSettled([
    ...updates.map(([kind, page, message]) => put(session, room, kind, page, message, version, transport)),
    (async () => {
      for (const [kind, page, message] of posts) await put(session, room, kind, page, message, version, transport);
    })(),
  ]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function put<M>(
  session: RenderSession,
  room: string,
  kind: Kind,
  page: number,
  message: M,
  version: number,
  transport: MessageTransport<M>,
): Promise<void> {
  const ref = session.refs.find((r) => r.kind === kind && r.page === page);
  if (ref && ref.renderedVersion >= version) return;
  const hash = contentHash(message);
  if (ref) {
    // The message already shows this: nothing to send, and nothing worth a write to remember it.
    if (ref.renderedHash === hash) return;
    const reposted = await transport.update(ref, message);
    await session.save({ ...ref, ...(reposted === undefined ? {} : { messageRef: reposted }), renderedVersion: version, renderedHash: hash });
    return;
  }
  const messageRef = await transport.post(kind, page, message);
  await session.save({ kind, page, channelId: room, messageRef, renderedVersion: version, renderedHash: hash });
}
