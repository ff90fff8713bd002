import type { Clock } from '../core/ports';
import type { Logger } from '../util/logger';
import type { OutboxRow, OutboxStore, SweptRow } from '../store/outbox';
import { GroupCommit } from '../util/group-commit';
import { withTimeout } from '../util/timeout';
import { OUTBOX_KEY } from './kinds';
import type { LocalRenders } from './local-renders';
import type { JobQueues, OutgoingJob } from './queues';

const RELAY_BATCH = 100;

/**
 * Moves committed outbox rows into BullMQ. The job id is the row's dedupe key, so a row relayed
 * twice (a crash between add and mark) is still one job, and a delayed job can be removed by key.
 * A row is done when its job finished, not when Redis took it: a pass over relayed, unfinished rows
 * re-queues those whose job vanished (a Redis restarted without persistence). Rows already due are
 * checked every few seconds and every row as soon as Redis is back, so a level Redis lost fires
 * seconds late, not a sweep period late.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private wake: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastPrune = 0;
  private lastSweep = 0;
  private lastOverdueSweep = 0;
  /** Redis came back, perhaps empty: ask it about every unfinished row, however recent. */
  private reconnected = false;
  /** The last outbox id the vanished-job sweep looked at; it starts over from 0 after the end. */
  private sweptUpTo = '0';
  /** When a pass last got an answer from Postgres; /readyz reports it. */
  private lastDatabasePass = Date.now();

  constructor(
    private readonly outbox: OutboxStore,
    private readonly queues: JobQueues,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
    private readonly redisTimeoutMs = 5_000,
    /** How long a relayed row may wait before the sweep asks Redis whether its job still exists. */
    private readonly vanishedAfterMs = 30_000,
    /** How often rows already due, but not done, are checked against Redis. */
    private readonly overdueEveryMs = 2_000,
    /** How long a relayed render, or a recorded declare, is left to the process that may be running it. */
    private readonly localGraceMs = 10_000,
  ) {}

  /** Renders due now run in this process (src/jobs/local-renders.ts) while it has room for them. */
  runRendersHere(local: LocalRenders): void {
    this.local = local;
  }

  private local: LocalRenders | null = null;

  /** Declares recorded here run here (src/jobs/local-declares.ts). */
  runDeclaresHere(declares: { has(dedupeKey: string): boolean }): void {
    this.declares = declares;
  }

  private declares: { has(dedupeKey: string): boolean } | null = null;

  /** Relays one batch; returns how many rows it moved. */
  async relayOnce(limit = RELAY_BATCH): Promise<number> {
    const here: OutgoingJob[] = [];
    // Renders wait in the outbox until due, so the paced ones of a burst are folded into one (below).
    // Other delayed jobs go to Redis at once, where they can be removed by key.
    const moved = await this.outbox
      .relay(limit, this.clock.now(), async (rows) => {
        this.lastDatabasePass = Date.now();
        if (rows.length === 0) return [];
        const jobs = collapseRenders(rows, this.clock.now().getTime());
        const queued: OutgoingJob[] = [];
        for (const j of jobs) (this.local?.reserve(j) ? here : queued).push(j);
        // Bounded: with Redis away, ioredis would queue the call forever while this transaction
        // holds its rows and a pooled connection. Failing lets the next tick try again.
        await withTimeout(this.queues.add(queued), this.redisTimeoutMs, `Redis did not answer within ${this.redisTimeoutMs} ms`);
        // Rows folded into another job are done as soon as that job is queued.
        return [...new Set(jobs.map((j) => j.dedupeKey))];
      })
      .catch((err: unknown) => {
        for (const j of here) this.local?.release(j.dedupeKey);
        throw err;
      });
    // Only once the rows are committed as relayed: a render finishing first would be marked done
    // and then undone by the relay's own update.
    for (const j of here) this.local?.start(j);
    return moved;
  }

  /**
   * Called when a job finished for good (completed, or failed with no retry left). Jobs finishing
   * together are marked in one statement. A mark lost to a crash is harmless: the sweep finds the
   * job finished in Redis and marks its row.
   */
  markDone(dedupeKey: string): Promise<void> {
    return this.done.add(dedupeKey);
  }

  private readonly done = new GroupCommit<string, void>(async (keys) => {
    await this.outbox.doneByKeys(keys);
    return keys.map(() => undefined);
  });

  /**
   * Re-queues relayed rows whose job Redis no longer has, and marks done those whose job finished
   * without being marked (a worker killed in between). Returns how many rows it re-queued.
   * `minAgeMs`: only rows relayed at least this long ago (a fresh one is surely still in Redis,
   * unless Redis just came back).
   */
  async sweepVanished(limit = 200, minAgeMs = this.vanishedAfterMs): Promise<number> {
    // Overdue first: a job past its time and still unfinished is the one whose loss hurts (a level
    // that should have fired). Then the rest, each pass going on from where the last stopped, so
    // thousands of long-delayed timers do not hide each other.
    const overdue = await this.outbox.unfinishedDue(minAgeMs / 1000, limit);
    const room = limit - overdue.length;
    const later = await this.outbox.unfinishedLater(minAgeMs / 1000, room, this.sweptUpTo);
    if (room > 0) this.sweptUpTo = later.length < room ? '0' : later[later.length - 1]!.id;
    return this.settle([...overdue, ...later]);
  }

  /**
   * Only rows already due: cheap enough to run every few seconds. A render relayed, or a declare
   * recorded, in the last `localGraceMs` may be running in another process (its own are skipped in
   * `settle`), so it is left to that one: asked about, Redis would call it lost and it would run twice.
   */
  async sweepOverdue(limit = 200): Promise<number> {
    return this.settle(await this.outbox.overdue(limit, this.localGraceMs / 1000));
  }

  /** Redis is back after a disconnect, maybe empty: the next pass asks it about every unfinished row. */
  afterReconnect(): void {
    this.reconnected = true;
    this.nudge();
  }

  private async settle(rows: SweptRow[]): Promise<number> {
    const lost: string[] = [];
    const finished: string[] = [];
    for (const r of rows) {
      // Running here, so Redis has never heard of it: not lost.
      if (this.local?.has(r.dedupe_key) || this.declares?.has(r.dedupe_key)) continue;
      const state = await withTimeout(this.queues.state(r.kind, r.dedupe_key), this.redisTimeoutMs, 'Redis did not answer');
      if (state === 'unknown') lost.push(r.id);
      else if (state === 'completed' || state === 'failed') finished.push(r.id);
    }
    if (lost.length > 0) {
      await this.outbox.requeue(lost);
      this.logger.warn({ rows: lost.length }, 'jobs vanished from Redis; queued them again from the outbox');
      this.nudge();
    }
    if (finished.length > 0) await this.outbox.doneByIds(finished);
    return lost.length;
  }

  /**
   * Deletes rows done more than `keepDays` ago: the timeline, not the outbox, is the record of
   * what happened.
   */
  async prune(keepDays = 7): Promise<number> {
    return this.outbox.prune(keepDays);
  }

  /** Milliseconds since a pass last got an answer from Postgres. */
  sinceDatabasePass(): number {
    return Date.now() - this.lastDatabasePass;
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

  /** The relay runs every second anyway; a render held back for pacing should not wait for that. */
  private async wakeForHeldRenders(): Promise<void> {
    const due = await this.outbox.nextHeldRender();
    if (!due || this.stopped) return;
    const inMs = Math.max(0, due.getTime() - this.clock.now().getTime());
    if (inMs >= this.intervalMs) return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = setTimeout(() => {
      this.wake = null;
      this.nudge();
    }, inMs + 1);
    this.wake.unref();
  }

  start(): void {
    this.lastDatabasePass = Date.now();
    this.timer = setInterval(() => this.nudge(), this.intervalMs);
    this.timer.unref();
    this.nudge();
  }

  /** Stops relaying; waits for a pass in flight, but never longer than `waitMs`. */
  async stop(waitMs = 3_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.wake) clearTimeout(this.wake);
    this.timer = null;
    this.wake = null;
    if (this.running) await withTimeout(this.running, waitMs, 'relay pass still running').catch(() => undefined);
  }

  private async drain(): Promise<void> {
    // Every pass is bounded, so one hung connection cannot stop the relay for good.
    const bounded = <T>(p: Promise<T>) => withTimeout(p, 20_000, 'outbox relay pass took over 20 s');
    try {
      // A pass that took less than a full batch took every row due and committed before it began;
      // a commit since then called nudge(), which runs another drain. So no empty pass to make sure.
      while ((await bounded(this.relayOnce(RELAY_BATCH))) >= RELAY_BATCH);
      await bounded(this.wakeForHeldRenders());
      if (this.reconnected) {
        // Every page once, not just the next: Redis may have lost all of them. Cleared only once
        // done, so a Redis that dropped again meanwhile is asked again at the next tick.
        this.sweptUpTo = '0';
        do await bounded(this.sweepVanished(200, 0));
        while (this.sweptUpTo !== '0' && !this.stopped);
        this.reconnected = false;
        this.lastSweep = this.lastOverdueSweep = Date.now();
      }
      if (Date.now() - this.lastSweep > this.vanishedAfterMs / 2) {
        this.lastSweep = this.lastOverdueSweep = Date.now();
        await bounded(this.sweepVanished());
      }
      if (Date.now() - this.lastOverdueSweep > this.overdueEveryMs) {
        this.lastOverdueSweep = Date.now();
        await bounded(this.sweepOverdue());
      }
      if (Date.now() - this.lastPrune > 3_600_000) {
        this.lastPrune = Date.now();
        await bounded(this.prune());
      }
    } catch (err) {
      // Rows stay in the outbox; the next tick tries again.
      this.logger.warn({ err }, 'outbox relay failed; will retry');
    }
  }
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
    .map((r) => ({ kind: r.kind, payload: { ...r.payload, [OUTBOX_KEY]: r.dedupe_key }, dedupeKey: r.dedupe_key, delayMs: r.run_at.getTime() - now }));
}
