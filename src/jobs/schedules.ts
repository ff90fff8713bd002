import type { Logger } from '../util/logger';
import { withTimeout } from '../util/timeout';
import type { JobQueues } from './queues';

/** A Job Scheduler this process keeps in Redis, and how to put it back. */
export interface KeptSchedule {
  id: string;
  /** What /readyz calls it: "digest", "reminder". */
  name: string;
  assert(): Promise<void>;
}

/** Often enough that a Redis restarted empty costs at most a minute of schedule, rarely enough to be free. */
export const REASSERT_EVERY_MS = 60_000;

/**
 * The schedulers live only in Redis: one restarted without persistence forgets them, and nothing
 * fires until a bot starts again. Upserting is idempotent (same id, same pattern, same next job),
 * so every worker re-asserts them on a period and as soon as Redis is back.
 */
export class ScheduleKeeper {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly queues: JobQueues,
    private readonly schedules: KeptSchedule[],
    private readonly logger: Logger,
    private readonly everyMs = REASSERT_EVERY_MS,
  ) {}

  /** Upserts every schedule; one that fails is logged and tried again at the next turn. */
  async assert(): Promise<void> {
    await Promise.all(
      this.schedules.map((s) =>
        withTimeout(s.assert(), 5_000, 'no answer within 5 s').catch((err: Error) =>
          this.logger.warn({ err, scheduler: s.id }, `could not schedule the ${s.name}`),
        ),
      ),
    );
  }

  start(): void {
    this.timer = setInterval(() => void this.assert(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The names of the schedules Redis does not hold now; throws when Redis does not answer. */
  async missing(): Promise<string[]> {
    const queue = this.queues.queues.schedules;
    const found = await Promise.all(this.schedules.map(async (s) => ((await queue.getJobScheduler(s.id)) ? null : s.name)));
    return found.filter((n): n is string => n !== null);
  }
}
