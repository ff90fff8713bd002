import type { Pool } from 'pg';
import type { Incident } from '../core/model';
import type { FollowUps } from '../core/render/digest-text';
import { AlertStore, type UndeclaredAlert } from './alerts';
import { DigestClaims } from './digest-claims';
import { toIncident } from './incident-store';

/** What the console's pages read beyond the incident store: the list, and the dashboard's follow-up counts. */
export interface ConsoleIncidentReads {
  /** A platform's open incidents (50 at most, most severe then newest first), then its 20 newest closed ones. */
  listed(platform: string): Promise<Incident[]>;
  /** Open post-mortems and action items, as the digest counts them. */
  followUps(at: Date, tz: string): Promise<FollowUps>;
  /** Firing alerts no runbook routed and nobody declared yet (30 at most, latest first). */
  undeclaredAlerts(): Promise<UndeclaredAlert[]>;
}

export class PgConsoleReads implements ConsoleIncidentReads {
  constructor(private readonly pool: Pool) {}

  async listed(platform: string): Promise<Incident[]> {
    const { rows } = await this.pool.query(
      `(SELECT * FROM incidents WHERE platform = $1 AND status NOT IN ('resolved', 'cancelled') ORDER BY severity, declared_at DESC LIMIT 50)
       UNION ALL
       (SELECT * FROM incidents WHERE platform = $1 AND status IN ('resolved', 'cancelled') ORDER BY declared_at DESC LIMIT 20)`,
      [platform],
    );
    return rows.map(toIncident);
  }

  followUps(at: Date, tz: string): Promise<FollowUps> {
    return new DigestClaims(this.pool).followUps(at, tz);
  }

  undeclaredAlerts(): Promise<UndeclaredAlert[]> {
    return new AlertStore(this.pool).undeclared(30);
  }
}
