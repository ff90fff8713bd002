import type { CoreDeps } from '../core/incident/deps';
import { retrySetup, SWEEPER } from '../core/incident/retry-setup';
import type { Logger } from '../util/logger';
import { withTimeout } from '../util/timeout';

/**
 * Finds open incidents that never got their channel and whose setup has nothing left running (it
 * failed for good, or its job was lost), and queues their setup again. Nothing stays stranded
 * because a job stalled twice or a Redis restarted empty; a person can also do it at once with
 * `retry INC-<n>`.
 */
export class SetupSweep {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly deps: CoreDeps,
    private readonly logger: Logger,
    /** How long setup may take before the sweep steps in. */
    private readonly graceMs = 120_000,
    private readonly intervalMs = 30_000,
  ) {}

  /** One pass; returns how many incidents it queued setup for again. */
  async sweepOnce(): Promise<number> {
    const since = new Date(this.deps.clock.now().getTime() - this.graceMs);
    const stranded = await this.deps.store.listStranded(since, 20);
    let queued = 0;
    for (const i of stranded) {
      const r = await retrySetup(this.deps, i.id, SWEEPER, null, 'sweep');
      if (!r.changed) continue;
      queued++;
      this.logger.warn(
        { incidentId: i.id, incident: `INC-${i.number}`, platform: i.platform },
        'incident had no channel and no setup running; queued its setup again',
      );
    }
    return queued;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = withTimeout(this.sweepOnce(), 30_000, 'setup sweep took over 30 s')
        .catch((err: Error) => void this.logger.warn({ err }, 'setup sweep failed; will retry'))
        .then(() => undefined)
        .finally(() => (this.running = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
