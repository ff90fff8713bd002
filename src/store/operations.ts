import type { Pool } from 'pg';

/** The cheapest statement Postgres answers: readiness and start-up ask whether it is reachable at all. */
export async function ping(pool: Pool): Promise<void> {
  await pool.query('SELECT 1');
}

/** Seconds the oldest outbox row not yet handed to the queues has waited; 0 when there is none. */
export async function outboxLagSeconds(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ lag: number }>(
    `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS lag FROM outbox WHERE relayed_at IS NULL`,
  );
  return Number(rows[0]!.lag);
}

/** Incidents neither resolved nor cancelled (imported ones are history), by platform; platforms with none are absent. */
export async function openIncidentsByPlatform(pool: Pool): Promise<Array<{ platform: string; n: number }>> {
  const { rows } = await pool.query<{ platform: string; n: number }>(
    `SELECT platform, count(*)::int AS n FROM incidents WHERE status NOT IN ('resolved', 'cancelled') AND imported_from IS NULL GROUP BY platform`,
  );
  return rows;
}
