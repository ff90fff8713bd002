import { digestText } from '../../core/render/digest-text';
import type { Text } from '../../core/text/text';
import type { Clock } from '../../core/ports';
import type { Reports } from '../../core/reports';
import type { Logger } from '../../util/logger';
import type { DigestClaims } from '../../store/digest-claims';
import { lastCompletePeriod, type DigestPeriod } from '../../digest/period';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/** Where a digest goes. `key` names the period, so a retry finds a post that went out before a crash. */
export interface DigestPoster {
  post(channel: string, key: string, text: Text): Promise<string>;
}

export interface DigestDeps {
  claims: DigestClaims;
  reports: Reports;
  runbookClasses: string[];
  poster: DigestPoster;
  clock: Clock;
  logger: Logger;
  schedule: { cron: string; tz: string; channel: string };
}

export type DigestOutcome = { posted: true; period: DigestPeriod; ref: string } | { posted: false; period: DigestPeriod };

export class WeeklyDigest {
  constructor(private readonly d: DigestDeps) {}

  get channel(): string {
    return this.d.schedule.channel;
  }

  lastPeriod(): DigestPeriod {
    return lastCompletePeriod(this.d.schedule.cron, this.d.schedule.tz, this.d.clock.now());
  }

  /** Whether the last complete period still needs its digest: a run missed while every bot was down. */
  async missed(): Promise<boolean> {
    return !(await this.d.claims.isPosted(this.lastPeriod().start, this.d.schedule.channel));
  }

  /** Posts the last complete period's digest unless another run has it (or had it). */
  async run(period = this.lastPeriod()): Promise<DigestOutcome> {
    const { claims, schedule, logger } = this.d;
    if (!(await claims.claim(period.start, schedule.channel))) return { posted: false, period };
    try {
      const text = await this.text(period);
      const ref = await this.d.poster.post(schedule.channel, `digest:${period.start.toISOString()}`, text);
      await claims.posted(period.start, schedule.channel, ref);
      logger.info({ channel: schedule.channel, period: period.start.toISOString(), ref }, 'weekly digest posted');
      return { posted: true, period, ref };
    } catch (err) {
      await claims.release(period.start, schedule.channel).catch(() => undefined);
      throw err;
    }
  }

  async text(period: DigestPeriod): Promise<Text> {
    // The schedule's own previous period, not "7 days before": a DST week is an hour short or long.
    const before = lastCompletePeriod(this.d.schedule.cron, this.d.schedule.tz, period.start);
    const [current, previous, openNow, followUps] = await Promise.all([
      this.d.reports.mttr({ since: period.start, until: period.end }, this.d.runbookClasses),
      this.d.reports.mttr({ since: before.start, until: before.end }, this.d.runbookClasses),
      this.d.claims.openIncidents(),
      // Overdue against the day the period ends on: a digest caught up later says the same.
      this.d.claims.followUps(period.end, this.d.schedule.tz),
    ]);
    return digestText({ current, previous, period, tz: this.d.schedule.tz, openNow, followUps });
  }
}

/** Fired by the weekly-digest Job Scheduler: every configured channel's digest for the last complete period. */
export const digestWeekly =
  ({ digests }: HandlerDeps): Handler<'digest.weekly'> =>
  () =>
    runDigests(digests);

/** Every channel's digest gets its try; a failure is thrown after the others ran, so the job retries it. */
async function runDigests(digests: HandlerDeps['digests']): Promise<void> {
  const failed = (await Promise.allSettled(digests.map((d) => d.run()))).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw failed[0]!.reason;
}
