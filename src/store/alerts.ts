import type { Pool } from 'pg';

/** What the bot keeps of an alert source's fingerprint (table `alerts`, migration 0015). */
export interface AlertRow {
  /** How many incidents this fingerprint opened; the next one is generation + 1. */
  generation: number;
  /** The incident of the current generation; null while the alert is unrouted. */
  incidentId: string | null;
  /** True while that incident is neither resolved nor cancelled. */
  incidentOpen: boolean;
  repeats: number;
  unroutedPostedAt: Date | null;
  facts: AlertFactsRow;
}

export interface AlertFactsRow {
  title: string;
  labels: Record<string, string>;
  url: string | null;
  startsAt: Date | null;
  status: 'firing' | 'resolved';
}

// Whether the row's incident is still open; every expression of an UPDATE reads the row as it was.
const OPEN_INCIDENT = `EXISTS (SELECT 1 FROM incidents i WHERE i.id = alerts.incident_id AND i.status NOT IN ('resolved', 'cancelled'))`;

/** An alert waiting for a person to choose its runbook, as the console lists it. */
export interface UndeclaredAlert {
  source: 'alertmanager' | 'generic';
  fingerprint: string;
  title: string;
  labels: Record<string, string>;
  url: string | null;
  startsAt: Date | null;
  /** Its latest notification. */
  receivedAt: Date;
}

/** One row per (source, fingerprint): which incident it opened, how often it repeated, whether it was offered. */
export class AlertStore {
  constructor(private readonly pool: Pool) {}

  async get(source: string, fingerprint: string): Promise<AlertRow | null> {
    const { rows } = await this.pool.query(
      `SELECT a.generation, a.incident_id, a.repeats, a.unrouted_posted_at, a.title, a.labels, a.url, a.starts_at, a.status,
              (i.id IS NOT NULL AND i.status NOT IN ('resolved', 'cancelled')) AS open
         FROM alerts a LEFT JOIN incidents i ON i.id = a.incident_id
        WHERE a.source = $1 AND a.fingerprint = $2`,
      [source, fingerprint],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      generation: r.generation,
      incidentId: r.incident_id,
      incidentOpen: r.open,
      repeats: r.repeats,
      unroutedPostedAt: r.unrouted_posted_at,
      facts: { title: r.title, labels: r.labels, url: r.url, startsAt: r.starts_at, status: r.status },
    };
  }

  /**
   * Ties the fingerprint to the incident of `generation`. Two bots (or a retry) tie the same one;
   * an older generation never overwrites a newer one.
   */
  async opened(source: string, fingerprint: string, generation: number, incidentId: string, facts: AlertFactsRow): Promise<void> {
    await this.pool.query(
      `INSERT INTO alerts (source, fingerprint, generation, incident_id, title, labels, url, starts_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (source, fingerprint) DO UPDATE
         SET generation = EXCLUDED.generation, incident_id = EXCLUDED.incident_id, title = EXCLUDED.title, labels = EXCLUDED.labels,
             url = EXCLUDED.url, starts_at = EXCLUDED.starts_at, status = EXCLUDED.status, repeats = 0, received_at = now()
       WHERE alerts.generation < EXCLUDED.generation OR alerts.incident_id IS NULL`,
      [source, fingerprint, generation, incidentId, facts.title, JSON.stringify(facts.labels), facts.url, facts.startsAt, facts.status],
    );
  }

  /**
   * Keeps an alert no runbook routes (or updates what it said); returns its row. One whose incident
   * ended is unrouted again: it leaves that incident and is offered anew, as a routed one declares anew.
   */
  async unrouted(source: string, fingerprint: string, facts: AlertFactsRow): Promise<AlertRow> {
    await this.pool.query(
      `INSERT INTO alerts (source, fingerprint, title, labels, url, starts_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (source, fingerprint) DO UPDATE
         SET title = EXCLUDED.title, labels = EXCLUDED.labels, url = EXCLUDED.url, starts_at = EXCLUDED.starts_at,
             status = EXCLUDED.status, repeats = alerts.repeats + 1, received_at = now(),
             incident_id = CASE WHEN ${OPEN_INCIDENT} THEN alerts.incident_id END,
             unrouted_posted_at = CASE WHEN alerts.incident_id IS NULL OR ${OPEN_INCIDENT} THEN alerts.unrouted_posted_at END`,
      [source, fingerprint, facts.title, JSON.stringify(facts.labels), facts.url, facts.startsAt, facts.status],
    );
    return (await this.get(source, fingerprint))!;
  }

  /** One more notification of a fingerprint whose incident is open. */
  async repeated(source: string, fingerprint: string): Promise<void> {
    await this.pool.query(`UPDATE alerts SET repeats = repeats + 1, received_at = now() WHERE source = $1 AND fingerprint = $2`, [source, fingerprint]);
  }

  async setStatus(source: string, fingerprint: string, status: 'firing' | 'resolved'): Promise<void> {
    await this.pool.query(`UPDATE alerts SET status = $3 WHERE source = $1 AND fingerprint = $2`, [source, fingerprint, status]);
  }

  /** Firing alerts no runbook routed and nobody declared yet, latest first: `limit` at most. */
  async undeclared(limit: number): Promise<UndeclaredAlert[]> {
    const { rows } = await this.pool.query(
      `SELECT source, fingerprint, title, labels, url, starts_at, received_at FROM alerts
        WHERE incident_id IS NULL AND status = 'firing'
        ORDER BY received_at DESC, source, fingerprint LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      source: r.source,
      fingerprint: r.fingerprint,
      title: r.title,
      labels: r.labels,
      url: r.url,
      startsAt: r.starts_at,
      receivedAt: r.received_at,
    }));
  }

  /** Claims the one chat offer of an unrouted alert: true for the single caller that gets it. */
  async claimOffer(source: string, fingerprint: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE alerts SET unrouted_posted_at = now() WHERE source = $1 AND fingerprint = $2 AND unrouted_posted_at IS NULL`,
      [source, fingerprint],
    );
    return rowCount === 1;
  }

  /** The offer could not be posted: the next notification (Alertmanager resends) tries again. */
  async releaseOffer(source: string, fingerprint: string): Promise<void> {
    await this.pool.query(`UPDATE alerts SET unrouted_posted_at = NULL WHERE source = $1 AND fingerprint = $2`, [source, fingerprint]);
  }
}
