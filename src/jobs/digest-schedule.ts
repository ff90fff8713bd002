import type { WeeklyDigest } from './handlers/digest-weekly';
import type { JobQueues } from './queues';

/** The one Job Scheduler of the digest: upserting it again (every start) replaces, never adds. */
export const DIGEST_SCHEDULER_ID = 'weekly-digest';

/**
 * Hands the schedule to BullMQ, so exactly one job is due per fire time however many bots start.
 * With no channel configured, a scheduler left from an earlier configuration is removed.
 */
export async function scheduleDigest(queues: JobQueues, schedule: { cron: string; tz: string } | null): Promise<void> {
  const queue = queues.queues.schedules;
  if (!schedule) {
    await queue.removeJobScheduler(DIGEST_SCHEDULER_ID);
    return;
  }
  await queue.upsertJobScheduler(DIGEST_SCHEDULER_ID, { pattern: schedule.cron, tz: schedule.tz }, { name: 'digest.weekly', data: {} });
}

/**
 * Queues the digest of a period every bot missed. The job id is the period, so bots starting
 * together queue one job; the digests row keeps it to one post even if the scheduler fires too.
 */
export async function queueMissedDigest(queues: JobQueues, periodStart: Date): Promise<void> {
  await queues.queues.schedules.add('digest.weekly', {}, { jobId: `digest-missed.${periodStart.getTime()}` });
}

/**
 * At start: the schedule, and the digest of the last period if no bot posted it to some channel
 * (all were down). One job serves every channel; each channel's claim keeps its post to one.
 */
export async function startDigest(queues: JobQueues, digests: WeeklyDigest[], schedule: { cron: string; tz: string }): Promise<void> {
  await scheduleDigest(queues, digests.length > 0 ? schedule : null);
  for (const digest of digests) {
    if (await digest.missed()) {
      await queueMissedDigest(queues, digest.lastPeriod().start);
      return;
    }
  }
}
