import { JOB_PAYLOADS, isJobKind, type JobKind } from '../core/jobs';

/**
 * The BullMQ side of the job contract. The kinds and their payload schemas are the core's
 * (src/core/jobs.ts); here each kind gets the queue it runs on. The outbox stores the kind and
 * payload; the worker checks the payload against its schema before running it, so a malformed
 * job fails once, loudly, instead of being retried.
 */
export const QUEUE_NAMES = ['chat', 'probes', 'escalations', 'webhooks', 'schedules'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** The queue each kind runs on. */
export const QUEUE_OF = {
  // Run in the process that recorded it (jobs/local-declares.ts); the queue is the fallback.
  'incident.declare': 'escalations',
  'chat.provision': 'chat',
  'chat.render': 'chat',
  'chat.notice': 'chat',
  'chat.announce': 'chat',
  'incident.diagnosis_due': 'escalations',
  'escalation.due': 'escalations',
  'chat.escalate': 'chat',
  'webhook.call': 'webhooks',
  'probe.runs': 'probes',
  'probe.run': 'probes',
  'chat.postmortem': 'chat',
  'chat.home': 'chat',
  'actions.remind': 'schedules',
  'digest.weekly': 'schedules',
} as const satisfies Record<JobKind, QueueName>;

/** Each kind with its payload schema and queue, as the worker reads them. */
export const JOB_KINDS = Object.fromEntries(Object.entries(JOB_PAYLOADS).map(([kind, payload]) => [kind, { queue: QUEUE_OF[kind as JobKind], payload }])) as {
  [K in JobKind]: { queue: (typeof QUEUE_OF)[K]; payload: (typeof JOB_PAYLOADS)[K] };
};

export { isJobKind, type JobKind, type JobPayload, type JobPayloadInput, type NewJob } from '../core/jobs';

/** The queue a kind runs on; unknown kinds go to `chat`, where the worker refuses them once. */
export function queueOf(kind: string): QueueName {
  return isJobKind(kind) ? QUEUE_OF[kind] : 'chat';
}

/**
 * Order within the chat queue, which every job posting to a chat platform shares. BullMQ takes jobs
 * without a priority before any with one, then lower numbers first (FIFO within a number). A click's
 * re-render has none: someone is looking at the checklist. Setup and pages come next, in the order
 * they were queued (a page waits for its incident's header). Notices, announcements, post-mortem
 * messages and App Home follow. Without this a burst of declares queued thousands of setup jobs
 * ahead of every click's render, and clicks went unseen for seconds.
 */
const CHAT_PRIORITY: Partial<Record<JobKind, number>> = {
  'chat.provision': 1,
  'chat.escalate': 1,
  'chat.notice': 2,
  'chat.announce': 2,
  'chat.postmortem': 2,
  'chat.home': 2,
};

/** The BullMQ priority of a kind's jobs; undefined runs first (see CHAT_PRIORITY). */
export function priorityOf(kind: string): number | undefined {
  return isJobKind(kind) ? CHAT_PRIORITY[kind] : undefined;
}

/** Where a job's data carries its outbox row's dedupe key, so the worker can mark the row done. */
export const OUTBOX_KEY = '__outbox';

/**
 * BullMQ's job id for an outbox dedupe key. BullMQ refuses ':' in custom ids, and the id must be
 * computable from the key alone, so a delayed job can be found and removed when it is no longer due.
 */
export function jobIdFor(dedupeKey: string): string {
  return dedupeKey.replace(/:/g, '.');
}
