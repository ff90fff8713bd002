import { z } from 'zod';

/**
 * Every kind of job the core writes, and the payload each carries. A Change names its jobs by
 * these kinds, so a misspelt kind or a payload that does not fit fails to compile; the worker
 * checks stored payloads against the same schemas before running them (src/jobs/kinds.ts).
 */

const replyTo = z.record(z.string(), z.unknown()).nullable();

export const JOB_PAYLOADS = {
  // A declare recorded before Slack's ack and made right after it (core/incident/accept-declare.ts):
  // the incident's id and declaration time are fixed when it is recorded.
  'incident.declare': z.object({
    id: z.uuid(),
    at: z.iso.datetime(),
    runbook: z.string().min(1),
    summary: z.string().nullable(),
    actor: z.string().min(1),
    platform: z.string().min(1),
    workspace: z.string().nullable(),
    replyTo,
    requestKey: z.string().min(1),
    // Taken when the request is recorded, so the ack can name the incident.
    number: z.number().int().positive().optional(),
  }),
  'chat.provision': z.object({ incidentId: z.uuid(), platform: z.string().min(1), replyTo: replyTo.default(null) }),
  'chat.render': z.object({ incidentId: z.uuid(), platform: z.string().min(1) }).loose(),
  // Names the notice, not its words: they are rendered from stored state when posted, so a notice
  // delayed by retries never says what stopped being true meanwhile.
  // `at`: when an alert_resolved notice's alert ended, for its wording.
  // `other`: the incident a duplicate notice names (the original, or the duplicate).
  // `similar_incidents`: earlier incidents like a new one, under its checklist (past-incidents.ts).
  'chat.notice': z.object({
    incidentId: z.uuid(),
    platform: z.string().min(1),
    notice: z.enum(['diagnosis_overdue', 'alert_resolved', 'duplicate_of', 'duplicated_by', 'similar_incidents']),
    at: z.iso.datetime().optional(),
    other: z.uuid().optional(),
  }),
  // A rise to SEV1 or SEV2 said once in the announce channel (a short post beside the announcement);
  // `version` is the incident's version the rise made, which keys the post so a retry says it once.
  'chat.announce': z.object({
    incidentId: z.uuid(),
    platform: z.string().min(1),
    from: z.number().int().min(1).max(4),
    to: z.number().int().min(1).max(4),
    version: z.number().int().min(1),
  }),
  // Queued by the declare, delayed by the runbook's diagnose_within: whether anyone is told is
  // decided when it runs, so recording the cause needs nothing withdrawn.
  // `generation`: the checklist (runbook) it was queued for, absent for the declare's; a switch of
  // runbook queues its own, and one queued for an earlier runbook does nothing.
  'incident.diagnosis_due': z.object({ incidentId: z.uuid(), generation: z.number().int().min(2).optional() }),
  // Level n of the on-call ladder is due; whether it fires is decided when it runs.
  'escalation.due': z.object({ incidentId: z.uuid(), level: z.number().int().min(1), generation: z.number().int().min(2).optional() }),
  // A fired level brought to its chat targets (mentions, invites, DMs).
  'chat.escalate': z.object({ incidentId: z.uuid(), platform: z.string().min(1), level: z.number().int().min(1) }),
  // A named webhook (URL and secret in config) told a level fired, or the incident ended.
  'webhook.call': z.object({
    incidentId: z.uuid(),
    webhook: z.string().min(1),
    action: z.enum(['trigger', 'resolve']),
    level: z.number().int().min(1).nullable(),
  }),
  'probe.runs': z.object({
    incidentId: z.uuid(),
    runbookId: z.string().min(1),
    platform: z.string().min(1),
    runs: z.array(z.object({ runId: z.uuid(), probeId: z.string().min(1) })).min(1),
  }),
  // One run per job, as versions before probe.runs queued them; still run if found in a queue.
  'probe.run': z.object({ incidentId: z.uuid(), runId: z.uuid(), probeId: z.string().min(1) }),
  // The post-mortem draft said in the incident's room once, written from the timeline when it runs.
  'chat.postmortem': z.object({ incidentId: z.uuid(), platform: z.string().min(1) }),
  // Someone's own page (Slack's App Home) lists their action items and post-mortems: bring it up to date.
  'chat.home': z.object({ platform: z.string().min(1), workspace: z.string().nullable(), userId: z.string().min(1) }),
  // Fired daily by a Job Scheduler: owners of overdue action items are reminded, once per item and day.
  'actions.remind': z.object({}),
  // Fired by the weekly-digest Job Scheduler (and at start for a missed period); the period is
  // computed when it runs, and the digests table keeps it to one post per period and channel.
  'digest.weekly': z.object({}),
} as const satisfies Record<string, z.ZodType>;

export type JobKind = keyof typeof JOB_PAYLOADS;
export const JOB_KIND_NAMES = Object.keys(JOB_PAYLOADS) as JobKind[];

/** A job's payload as the worker reads it (defaults applied). */
export type JobPayload<K extends JobKind> = z.output<(typeof JOB_PAYLOADS)[K]>;
/** A job's payload as the core writes it (fields with defaults may be left out). */
export type JobPayloadInput<K extends JobKind> = z.input<(typeof JOB_PAYLOADS)[K]>;

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(JOB_PAYLOADS, kind);
}

/** A job a Change queues, typed by its kind. */
export type NewJob = {
  [K in JobKind]: {
    kind: K;
    payload: JobPayloadInput<K>;
    /** Deterministic: the same job written twice is one job. */
    dedupeKey: string;
    runAt: Date;
    /**
     * At most one job of this kind per incident per `paceMs`: the job joins one already scheduled,
     * or waits until `paceMs` after the last one. Honoured by recordProbeResult, whose bursts it is for.
     */
    paceMs?: number;
  };
}[JobKind];
