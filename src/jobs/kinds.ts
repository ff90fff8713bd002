import { z } from 'zod';

/**
 * Every kind of job, its payload schema and the queue it runs on, in one place. The outbox
 * stores the kind and payload; the worker checks the payload against this before running it,
 * so a malformed job fails once, loudly, instead of being retried.
 */
export const QUEUE_NAMES = ['chat', 'probes', 'escalations', 'webhooks', 'schedules'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const replyTo = z.record(z.string(), z.unknown()).nullable();

export const JOB_KINDS = {
  'chat.provision': {
    queue: 'chat',
    payload: z.object({ incidentId: z.uuid(), platform: z.string().min(1), replyTo: replyTo.default(null) }),
  },
  'chat.render': {
    queue: 'chat',
    payload: z.object({ incidentId: z.uuid(), platform: z.string().min(1) }).loose(),
  },
  // Names the notice, not its words: they are rendered from stored state when posted, so a notice
  // delayed by retries never says what stopped being true meanwhile.
  'chat.notice': {
    queue: 'chat',
    payload: z.object({ incidentId: z.uuid(), platform: z.string().min(1), notice: z.enum(['diagnosis_overdue']) }),
  },
  // Queued by the declare, delayed by the runbook's diagnose_within: whether anyone is told is
  // decided when it runs, so recording the cause needs nothing withdrawn.
  'incident.diagnosis_due': {
    queue: 'escalations',
    payload: z.object({ incidentId: z.uuid() }),
  },
  // Level n of the on-call ladder is due; whether it fires is decided when it runs.
  'escalation.due': {
    queue: 'escalations',
    payload: z.object({ incidentId: z.uuid(), level: z.number().int().min(1) }),
  },
  // A fired level brought to its chat targets (mentions, invites, DMs).
  'chat.escalate': {
    queue: 'chat',
    payload: z.object({ incidentId: z.uuid(), platform: z.string().min(1), level: z.number().int().min(1) }),
  },
  // A named webhook (URL and secret in config) told a level fired, or the incident ended.
  'webhook.call': {
    queue: 'webhooks',
    payload: z.object({ incidentId: z.uuid(), webhook: z.string().min(1), action: z.enum(['trigger', 'resolve']), level: z.number().int().min(1).nullable() }),
  },
  'probe.runs': {
    queue: 'probes',
    payload: z.object({
      incidentId: z.uuid(),
      runbookId: z.string().min(1),
      platform: z.string().min(1),
      runs: z.array(z.object({ runId: z.uuid(), probeId: z.string().min(1) })).min(1),
    }),
  },
  // One run per job, as versions before probe.runs queued them; still run if found in a queue.
  'probe.run': {
    queue: 'probes',
    payload: z.object({ incidentId: z.uuid(), runId: z.uuid(), probeId: z.string().min(1) }),
  },
  // The post-mortem draft said in the incident's room once, written from the timeline when it runs.
  'chat.postmortem': {
    queue: 'chat',
    payload: z.object({ incidentId: z.uuid(), platform: z.string().min(1) }),
  },
  // Someone's own page (Slack's App Home) lists their action items and post-mortems: bring it up to date.
  'chat.home': {
    queue: 'chat',
    payload: z.object({ platform: z.string().min(1), workspace: z.string().nullable(), userId: z.string().min(1) }),
  },
  // Fired daily by a Job Scheduler: owners of overdue action items are reminded, once per item and day.
  'actions.remind': {
    queue: 'schedules',
    payload: z.object({}),
  },
  // Fired by the weekly-digest Job Scheduler (and at start for a missed period); the period is
  // computed when it runs, and the digests table keeps it to one post per period and channel.
  'digest.weekly': {
    queue: 'schedules',
    payload: z.object({}),
  },
} as const satisfies Record<string, { queue: QueueName; payload: z.ZodType }>;

export type JobKind = keyof typeof JOB_KINDS;
export type JobPayload<K extends JobKind> = z.infer<(typeof JOB_KINDS)[K]['payload']>;

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(JOB_KINDS, kind);
}

/** The queue a kind runs on; unknown kinds go to `chat`, where the worker refuses them once. */
export function queueOf(kind: string): QueueName {
  return isJobKind(kind) ? JOB_KINDS[kind].queue : 'chat';
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
