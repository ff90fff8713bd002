import type { Pool, PoolClient } from 'pg';
import { checkout, prepared } from './db';

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
  save(ref: ChatRef): Promise<void>;
}

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
   * that one re-reads the version after it lets go, so it will see whatever this caller saw.
   */
  async renderLatest(
    incidentId: string,
    render: (session: RenderSession) => Promise<number>,
    latest: () => Promise<number>,
    opts: { wait?: boolean } = {},
  ): Promise<void> {
    // `wait`: this render must run itself (setup posts what a plain render may not), so it
    // queues for the lock instead of stepping aside, the first time round.
    let wait = opts.wait === true;
    for (;;) {
      const shown = await this.locked(incidentId, render, wait);
      if (shown === null) return;
      if ((await latest()) <= shown) return;
      wait = false;
    }
  }

  private async locked<T>(incidentId: string, fn: (session: RenderSession) => Promise<T>, wait: boolean): Promise<T | null> {
    const c = await checkout(this.pool);
    // A session lock rather than a transaction: each saved ref commits at once, so a message that
    // was posted is remembered even when a later call in the same render fails.
    const lock = wait ? 'pg_advisory_lock' : 'pg_try_advisory_lock';
    const { rows } = await c.query(`SELECT ${lock}(hashtext('incident-bot:render:' || $1))::text AS locked`, [incidentId]).catch((err) => {
      c.release(true);
      throw err;
    });
    if (!wait && rows[0].locked !== 'true') {
      c.release();
      return null;
    }
    try {
      const refs = await this.load(c, incidentId);
      // A render updates its messages side by side; their saves take turns on the one connection.
      let last: Promise<void> = Promise.resolve();
      const save = (ref: ChatRef) => (last = last.catch(() => undefined).then(() => this.save(c, incidentId, ref)));
      return await fn({ refs, save });
    } finally {
      // If the unlock fails, drop the connection rather than return a locked one to the pool.
      const unlocked = await c.query(`SELECT pg_advisory_unlock(hashtext('incident-bot:render:' || $1))`, [incidentId]).then(
        () => true,
        () => false,
      );
      c.release(!unlocked);
    }
  }

  /** The incident's version now (0 if it is gone): whether a render that just finished is still the latest. */
  async incidentVersion(incidentId: string): Promise<number> {
    const { rows } = await this.pool.query(prepared('SELECT version FROM incidents WHERE id = $1', [incidentId]));
    return rows[0]?.version ?? 0;
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

  private async load(c: PoolClient, incidentId: string): Promise<ChatRef[]> {
    const { rows } = await c.query(
      `SELECT kind, page, channel_id, message_ref, rendered_version, rendered_hash FROM chat_refs
       WHERE incident_id = $1 AND platform = $2 ORDER BY kind, page`,
      [incidentId, this.platform],
    );
    return rows.map((r) => ({
      kind: r.kind,
      page: r.page,
      channelId: r.channel_id,
      messageRef: r.message_ref,
      renderedVersion: r.rendered_version,
      renderedHash: r.rendered_hash,
    }));
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
