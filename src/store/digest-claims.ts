import type { Pool } from 'pg';
import type { FollowUps } from '../core/render/digest-text';

/** A claim older than this with nothing posted belongs to a bot that died between claiming and posting. */
export const STALE_CLAIM_SECONDS = 300;

/**
 * The `digests` rows: whoever inserts the (period, channel) row posts that digest; everyone
 * else leaves it, however many bots run the schedule or the catch-up at once.
 */
export class DigestClaims {
  constructor(private readonly pool: Pool) {}

  /** True when this caller now owns the period's post: a new claim, or a stale one taken over. */
  async claim(periodStart: Date, channel: string, staleSeconds = STALE_CLAIM_SECONDS): Promise<boolean> {
    const fresh = await this.pool.query(`INSERT INTO digests (period_start, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [
      periodStart,
      channel,
    ]);
    if (fresh.rowCount === 1) return true;
    // Resetting claimed_at makes the takeover itself a fresh claim: of two bots taking over, one wins.
    const taken = await this.pool.query(
      `UPDATE digests SET claimed_at = now()
        WHERE period_start = $1 AND channel = $2 AND posted_at IS NULL AND claimed_at < now() - make_interval(secs => $3)
        RETURNING 1`,
      [periodStart, channel, staleSeconds],
    );
    return taken.rowCount === 1;
  }

  async posted(periodStart: Date, channel: string, messageRef: string): Promise<void> {
    await this.pool.query(`UPDATE digests SET posted_at = now(), message_ref = $3 WHERE period_start = $1 AND channel = $2`, [
      periodStart,
      channel,
      messageRef,
    ]);
  }

  /** Gives the period back after a failure, so the job's retry need not wait for the claim to go stale. */
  async release(periodStart: Date, channel: string): Promise<void> {
    await this.pool.query(`DELETE FROM digests WHERE period_start = $1 AND channel = $2 AND posted_at IS NULL`, [periodStart, channel]);
  }

  async isPosted(periodStart: Date, channel: string): Promise<boolean> {
    const r = await this.pool.query(`SELECT 1 FROM digests WHERE period_start = $1 AND channel = $2 AND posted_at IS NOT NULL`, [periodStart, channel]);
    return r.rowCount === 1;
  }

  /** Incidents worked in chat and not over yet; imported ones are history, never open here. */
  async openIncidents(): Promise<number> {
    const r = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM incidents WHERE status NOT IN ('resolved', 'cancelled') AND imported_from IS NULL`,
    );
    return r.rows[0]!.n;
  }

  /**
   * Follow-up work not done yet, of incidents that were not cancelled: open action items, those of
   * them due before the calendar day `at` falls on in `tz` (the digest passes its period's end), and
   * post-mortems not closed. One statement, so the three counts are of the same moment.
   */
  async followUps(at: Date, tz: string): Promise<FollowUps> {
    const r = await this.pool.query<FollowUps>(
      `SELECT (SELECT count(*)::int FROM action_items a JOIN incidents i ON i.id = a.incident_id
                WHERE a.closed_at IS NULL AND i.status <> 'cancelled') AS "actionItemsOpen",
              (SELECT count(*)::int FROM action_items a JOIN incidents i ON i.id = a.incident_id
                WHERE a.closed_at IS NULL AND i.status <> 'cancelled'
                  AND a.due_on < ($1::timestamptz AT TIME ZONE $2)::date) AS "actionItemsOverdue",
              (SELECT count(*)::int FROM postmortems p JOIN incidents i ON i.id = p.incident_id
                WHERE p.status <> 'closed' AND i.status <> 'cancelled') AS "postmortemsOpen"`,
      [at, tz],
    );
    return r.rows[0]!;
  }
}
