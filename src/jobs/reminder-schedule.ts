import type { JobQueues } from './queues';

/** The one Job Scheduler of the overdue reminders: every bot upserts it at start, BullMQ keeps one. */
export const REMINDER_SCHEDULER_ID = 'action-reminders';

export async function scheduleReminders(queues: JobQueues, schedule: { cron: string; tz: string }): Promise<void> {
  await queues.queues.schedules.upsertJobScheduler(REMINDER_SCHEDULER_ID, { pattern: schedule.cron, tz: schedule.tz }, { name: 'actions.remind', data: {} });
}
