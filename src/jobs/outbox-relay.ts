import type { Pool } from 'pg';
import type { Clock } from '../core/ports';
import type { Logger } from '../logger';
import { inTransaction } from '../store/db';
import { withTimeout } from '../util/timeout';
import type { JobQueues, OutgoingJob } from './queues';

/**
 * Moves committed outbox rows into BullMQ. The job id is the row's dedupe key, so a row relayed
 * twice (a crash between add and mark) is still one job, and a delayed job can be removed by key.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastPrune = 0;

  constructor(
    private readonly pool: Pool,
    private readonly queues: JobQueues,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
    private readonly redisTimeoutMs = 5_000,
  ) {}

  /** Relays one batch; returns how many rows it moved. */
  async relayOnce(limit = 100): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      const { rows } = await c.query<OutboxRow>(
        `SELECT id, kind, payload, dedupe_key, run_at FROM outbox WHERE relayed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (rows.length === 0) return 0;
      // Bounded: with Redis away, ioredis would queue the call forever while this transaction
      // holds its rows and a pooled connection. Failing lets the next tick try again.
      const jobs = collapseRenders(rows, this.clock.now().getTime());
      await withTimeout(this.queues.add(jobs), this.redisTimeoutMs, `Redis did not answer within ${this.redisTimeoutMs} ms`);
      await c.query('UPDATE outbox SET relayed_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  /**
   * Deletes rows relayed more than `keepDays` ago: BullMQ has had them since, and the timeline,
   * not the outbox, is the record of what happened.
   */
  async prune(keepDays = 7): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM outbox WHERE relayed_at < now() - make_interval(days => $1)`,
      [keepDays],
    );
    return rowCount ?? 0;
  }

  /** Relay now rather than at the next tick: called right after a commit that wrote jobs. */
  nudge(): void {
    if (this.stopped) return; // a request finishing during shutdown; the next start relays its rows
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.nudge();
      }
    });
  }

  start(): void {
    this.timer = setInterval(() => this.nudge(), this.intervalMs);
    this.timer.unref();
    this.nudge();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while ((await this.relayOnce()) > 0);
      if (Date.now() - this.lastPrune > 3_600_000) {
        this.lastPrune = Date.now();
        await this.prune();
      }
    } catch (err) {
      // Rows stay in the outbox; the next tick tries again.
      this.logger.warn({ err: (err as Error).message }, 'outbox relay failed; will retry');
    }
  }
}

interface OutboxRow {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  dedupe_key: string;
  run_at: Date;
}

/**
 * A burst of clicks on one incident queues a render per click, but a render always shows the
 * newest state: of a batch's renders for one incident and platform, only the last is sent.
 */
export function collapseRenders(rows: OutboxRow[], now: number): OutgoingJob[] {
  const lastRender = new Map<string, string>();
  for (const r of rows) if (r.kind === 'chat.render') lastRender.set(`${String(r.payload.incidentId)}:${String(r.payload.platform)}`, r.id);
  return rows
    .filter((r) => r.kind !== 'chat.render' || lastRender.get(`${String(r.payload.incidentId)}:${String(r.payload.platform)}`) === r.id)
    .map((r) => ({ kind: r.kind, payload: r.payload, dedupeKey: r.dedupe_key, delayMs: r.run_at.getTime() - now }));
}
