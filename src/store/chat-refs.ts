import type { Pool, PoolClient } from 'pg';
import { PermanentError } from '../core/errors';
import type { Snapshot } from '../core/model';
import { checkout, prepared } from './db';
import { gatedSnapshotQuery, toSnapshot } from './incident-store';

export interface ChatRef {
  kind: 'header' | 'checklist' | 'followup' | 'announcement';
  page: number;
  channelId: string;
  messageRef: string;
  renderedVersion: number;
  /** Digest of the content last sent; null for refs saved before it was recorded. */
  renderedHash: string | null;
}

export interface RenderSession {
  refs: ChatRef[];
  /**
   * Remembers a ref. A message posted (or posted again) is saved at once, so a render that dies
   * right after never posts it twice; an update of a message in place is saved when the lock is
   * let go, in the same call, and at worst is sent again, with current content, by the next render.
   */
  save(ref: ChatRef): Promise<void>;
  /** The incident as read in the call that took the lock. */
  snapshot: Snapshot;
}

// The lock, the refs read after it (render_lock, migration 0031) and the incident, in one call.
// The incident is read as of the call's start, which may be before a wait for the lock: what it
// shows is its version, and the version read after letting go has the render run again if that
// is newer. The refs must be read after the lock (a ref saved meanwhile means "do not post again"),
// and render_lock reads them with a snapshot of its own. A render that steps aside reads nothing.
const LOCK_AND_READ = gatedSnapshotQuery('render_lock($1, $2, $3)');

/**
 * Where an incident's messages live. Renders of one incident never overlap: one holds an
 * advisory lock while the others step aside, and the holder renders again if the incident
 * changed meanwhile. So a burst of clicks costs a few renders, not one per click, and the last
 * render always read the newest state.
 */
export class ChatRefStore {
  constructor(
    private readonly pool: Pool,
    private readonly platform: string,
  ) {}

  /**
   * Runs `render` under the incident's render lock until it has rendered the newest version.
   * `render` returns the version it showed. Returns at once when another render holds the lock:
   * that one reads the version after it lets go, so it will see whatever this caller saw.
   * An incident that does not exist is a PermanentError: it will not appear on a retry.
   */
  async renderLatest(incidentId: string, render: (session: RenderSession) => Promise<number>, opts: { wait?: boolean } = {}): Promise<void> {
    // `wait`: this render must run itself (setup posts what a plain render may not), so it
    // queues for the lock instead of stepping aside, the first time round.
    let wait = opts.wait === true;
    for (;;) {
      const done = await this.locked(incidentId, render, wait);
      if (done === null || done.latest <= done.shown) return;
      wait = false;
    }
  }

  /**
   * One render under the lock: what it showed, and the incident's version read after letting go.
   * Null when another render holds the lock and `wait` is false.
   */
  private async locked(
    incidentId: string,
    render: (session: RenderSession) => Promise<number>,
    wait: boolean,
  ): Promise<{ shown: number; latest: number } | null> {
    const c = await checkout(this.pool);
    // A session lock rather than a transaction: each posted message's ref commits at once, so a
    // message that was posted is remembered even when a later call in the same render fails.
    const { rows } = await c.query(prepared(LOCK_AND_READ, [incidentId, this.platform, wait])).catch((err) => {
      c.release(true);
      throw err;
    });
    const row = rows[0]!;
    if (row.gate === null) {
      c.release();
      return null;
    }
    if (!row.found) {
      // Nothing to render, and it will not appear on a retry.
      const unlocked = await this.unlock(c, incidentId, []).then(
        () => true,
        () => false,
      );
      c.release(!unlocked);
      throw new PermanentError(`incident ${incidentId} does not exist`);
    }
    const refs = row.gate as ChatRef[];
    const inPlace = new Map(refs.map((r) => [refKey(r), r.messageRef]));
    const deferred = new Map<string, ChatRef>();
    let latest: number | null = null;
    try {
      // A render updates its messages side by side; their saves take turns on the one connection.
      let last: Promise<void> = Promise.resolve();
      const save = (ref: ChatRef) => {
        if (inPlace.get(refKey(ref)) === ref.messageRef) {
          deferred.set(refKey(ref), ref);
          return Promise.resolve();
        }
        return (last = last.catch(() => undefined).then(() => this.save(c, incidentId, ref)));
      };
      const shown = await render({ refs, save, snapshot: toSnapshot(row) });
      latest = await this.unlock(c, incidentId, [...deferred.values()]);
      return { shown, latest };
    } finally {
      // The render threw, or the unlock failed: try once more (saving the updates that went out),
      // and never return a connection that may still hold the lock to the pool.
      const unlocked =
        latest !== null ||
        (await this.unlock(c, incidentId, [...deferred.values()]).then(
          () => true,
          () => false,
        ));
      c.release(!unlocked);
    }
  }

  /** Saves the refs of messages updated in place, lets go of the lock, and reads the version. */
  private async unlock(c: PoolClient, incidentId: string, updated: ChatRef[]): Promise<number> {
    const { rows } = await c.query(prepared('SELECT render_unlock($1, $2, $3::jsonb) AS latest', [incidentId, this.platform, JSON.stringify(updated)]));
    return rows[0].latest as number;
  }

  /** Whether setup has posted the incident's header and checklist on this platform yet. */
  async setupPosted(incidentId: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT count(DISTINCT kind)::int AS n FROM chat_refs WHERE incident_id = $1 AND platform = $2 AND kind IN ('header', 'checklist')`,
      [incidentId, this.platform],
    );
    return rows[0]?.n === 2;
  }

  /** The ref of one posted message, to know which card a click came from. */
  async find(incidentId: string, messageRef: string): Promise<ChatRef | null> {
    const { rows } = await this.pool.query(
      `SELECT kind, page, channel_id, message_ref, rendered_version, rendered_hash FROM chat_refs
       WHERE incident_id = $1 AND platform = $2 AND message_ref = $3`,
      [incidentId, this.platform, messageRef],
    );
    const r = rows[0];
    return r
      ? { kind: r.kind, page: r.page, channelId: r.channel_id, messageRef: r.message_ref, renderedVersion: r.rendered_version, renderedHash: r.rendered_hash }
      : null;
  }

  private async save(c: PoolClient, incidentId: string, ref: ChatRef): Promise<void> {
    await c.query(
      `INSERT INTO chat_refs (incident_id, kind, page, platform, channel_id, message_ref, rendered_version, rendered_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (incident_id, kind, page) DO UPDATE
         SET message_ref = EXCLUDED.message_ref, rendered_version = EXCLUDED.rendered_version,
             rendered_hash = EXCLUDED.rendered_hash`,
      [incidentId, ref.kind, ref.page, this.platform, ref.channelId, ref.messageRef, ref.renderedVersion, ref.renderedHash],
    );
  }
}

function refKey(ref: Pick<ChatRef, 'kind' | 'page'>): string {
  return `${ref.kind}:${ref.page}`;
}
