import type { Pool } from 'pg';
import { inTransaction, prepared } from './db';

/** An outbox row not yet handed to the queues. */
export interface OutboxRow {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  dedupe_key: string;
  run_at: Date;
}

/** A relayed row whose job may have finished, or vanished from Redis. */
export interface SweptRow {
  id: string;
  kind: string;
  dedupe_key: string;
}

/** The `outbox` table as the relay sees it. */
export interface OutboxStore {
  /**
   * One transaction: locks up to `limit` rows not yet relayed (renders only once due at `now`),
   * skipping rows another relay holds, and gives them to `send`, which is called even with none
   * (Postgres answered). Rows whose dedupe key `send` returns are relayed and wait for their job;
   * the others (folded into another job) are done. `send` throwing rolls it all back. Returns how
   * many rows were taken.
   */
  relay(limit: number, now: Date, send: (rows: OutboxRow[]) => Promise<string[]>): Promise<number>;
  /** Marks done the rows of these dedupe keys not done yet. */
  doneByKeys(keys: string[]): Promise<void>;
  /** Relayed, unfinished rows relayed at least `minAgeSeconds` ago and already due, most overdue first. */
  unfinishedDue(minAgeSeconds: number, limit: number): Promise<SweptRow[]>;
  /** Relayed, unfinished rows relayed at least `minAgeSeconds` ago and not due yet, in id order after `afterId`. */
  unfinishedLater(minAgeSeconds: number, limit: number, afterId: string): Promise<SweptRow[]>;
  /**
   * Relayed, unfinished rows already due, however recently relayed, most overdue first; but a
   * render relayed, or a declare recorded, less than `localGraceSeconds` ago is left out: it may be
   * running in the process that took it, which Redis knows nothing of (src/jobs/local-renders.ts,
   * src/jobs/local-declares.ts).
   */
  overdue(limit: number, localGraceSeconds: number): Promise<SweptRow[]>;
  /** Makes these rows unrelayed again, so the next pass queues them anew. */
  requeue(ids: string[]): Promise<void>;
  doneByIds(ids: string[]): Promise<void>;
  /** Deletes rows done more than `keepDays` ago; returns how many. */
  prune(keepDays: number): Promise<number>;
  /** When the first render held back for pacing is due; null when none is held. */
  nextHeldRender(): Promise<Date | null>;
}

export class PgOutbox implements OutboxStore {
  constructor(private readonly pool: Pool) {}

  relay(limit: number, now: Date, send: (rows: OutboxRow[]) => Promise<string[]>): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      const { rows } = await c.query<OutboxRow>(
        prepared(
          `SELECT id, kind, payload, dedupe_key, run_at FROM outbox WHERE relayed_at IS NULL AND (kind <> 'chat.render' OR run_at <= $2)
           ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit, now],
        ),
      );
      const sent = await send(rows);
      if (rows.length === 0) return 0;
      await c.query(
        prepared(
          `UPDATE outbox SET relayed_at = now(), done_at = CASE WHEN dedupe_key = ANY($2::text[]) THEN NULL ELSE now() END
           WHERE id = ANY($1::bigint[])`,
          [rows.map((r) => r.id), sent],
        ),
      );
      return rows.length;
    });
  }

  async doneByKeys(keys: string[]): Promise<void> {
    await this.pool.query(prepared('UPDATE outbox SET done_at = now() WHERE dedupe_key = ANY($1::text[]) AND done_at IS NULL', [keys]));
  }

  private static readonly UNFINISHED = `SELECT id, kind, dedupe_key FROM outbox WHERE relayed_at IS NOT NULL AND done_at IS NULL
         AND relayed_at <= now() - make_interval(secs => $1)`;

  async unfinishedDue(minAgeSeconds: number, limit: number): Promise<SweptRow[]> {
    const { rows } = await this.pool.query<SweptRow>(`${PgOutbox.UNFINISHED} AND run_at <= now() ORDER BY run_at LIMIT $2`, [minAgeSeconds, limit]);
    return rows;
  }

  async unfinishedLater(minAgeSeconds: number, limit: number, afterId: string): Promise<SweptRow[]> {
    const { rows } = await this.pool.query<SweptRow>(`${PgOutbox.UNFINISHED} AND run_at > now() AND id > $3 ORDER BY id LIMIT $2`, [
      minAgeSeconds,
      limit,
      afterId,
    ]);
    return rows;
  }

  async overdue(limit: number, localGraceSeconds: number): Promise<SweptRow[]> {
    const { rows } = await this.pool.query<SweptRow>(
      `SELECT id, kind, dedupe_key FROM outbox WHERE relayed_at IS NOT NULL AND done_at IS NULL AND run_at <= now()
         AND NOT (kind IN ('chat.render', 'incident.declare') AND relayed_at > now() - make_interval(secs => $2))
       ORDER BY run_at LIMIT $1`,
      [limit, localGraceSeconds],
    );
    return rows;
  }

  async requeue(ids: string[]): Promise<void> {
    await this.pool.query('UPDATE outbox SET relayed_at = NULL WHERE id = ANY($1::bigint[])', [ids]);
  }

  async doneByIds(ids: string[]): Promise<void> {
    await this.pool.query('UPDATE outbox SET done_at = now() WHERE id = ANY($1::bigint[])', [ids]);
  }

  async prune(keepDays: number): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM outbox WHERE done_at < now() - make_interval(days => $1)`, [keepDays]);
    return rowCount ?? 0;
  }

  async nextHeldRender(): Promise<Date | null> {
    const { rows } = await this.pool.query<{ due: Date | null }>(
      prepared(`SELECT min(run_at) AS due FROM outbox WHERE relayed_at IS NULL AND kind = 'chat.render'`, []),
    );
    return rows[0]?.due ?? null;
  }
}
