import type { Pool } from 'pg';

/**
 * Messages said under a key in an incident's room, for platforms whose history cannot be searched
 * (Teams). A key is claimed before sending and its message recorded after, so every try and every
 * bot agrees on who sends it. The one gap: a sender killed after the platform took the message
 * but before recording it leaves a claim with no message, and the next try sends it again.
 */
export class ChatPostStore {
  constructor(
    private readonly pool: Pool,
    private readonly platform: string,
  ) {}

  /**
   * `mine`: send it now. `sent`: it went out already. `held`: another sender claimed it less than
   * `staleMs` ago and has not recorded it yet; ask again later (a live sender records within
   * seconds, so a claim that old belongs to a sender that died, and is taken over).
   */
  async claim(incidentId: string, key: string, staleMs = 15_000): Promise<'mine' | 'sent' | 'held'> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO chat_posts (incident_id, platform, key) VALUES ($1, $2, $3)
       ON CONFLICT (incident_id, platform, key) DO UPDATE SET claimed_at = now()
       WHERE chat_posts.message_ref IS NULL AND chat_posts.claimed_at < now() - make_interval(secs => $4::double precision / 1000)`,
      [incidentId, this.platform, key, staleMs],
    );
    if (rowCount === 1) return 'mine';
    const { rows } = await this.pool.query('SELECT message_ref FROM chat_posts WHERE incident_id = $1 AND platform = $2 AND key = $3', [
      incidentId,
      this.platform,
      key,
    ]);
    return rows[0]?.message_ref ? 'sent' : 'held';
  }

  async sent(incidentId: string, key: string, messageRef: string): Promise<void> {
    await this.pool.query('UPDATE chat_posts SET message_ref = $4 WHERE incident_id = $1 AND platform = $2 AND key = $3', [
      incidentId,
      this.platform,
      key,
      messageRef,
    ]);
  }

  /** Gives the key back after a failed send, so the retry sends at once. */
  async release(incidentId: string, key: string): Promise<void> {
    await this.pool.query('DELETE FROM chat_posts WHERE incident_id = $1 AND platform = $2 AND key = $3 AND message_ref IS NULL', [
      incidentId,
      this.platform,
      key,
    ]);
  }
}
