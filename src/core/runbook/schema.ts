import { z } from 'zod';

/** Durations as written in runbooks: 90s, 5m, 1h (whole numbers only). */
export const DURATION = /^(\d+)(s|m|h)$/;

export function durationMs(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes (e.g. pdf-404)')
  .max(40, 'keep it at most 40 characters: it becomes part of the channel name');

const duration = z.string().regex(DURATION, 'write a duration such as 90s, 5m or 1h');

/** An http probe's timeout: above 5 min a stuck probe holds a slot through the incident. */
export const PROBE_TIMEOUT_RANGE = { minMs: 1_000, maxMs: 5 * 60_000, text: 'from 1s to 5m' } as const;

export function probeTimeoutProblem(timeout: string): string | null {
  const ms = DURATION.test(timeout) ? durationMs(timeout) : NaN;
  if (ms >= PROBE_TIMEOUT_RANGE.minMs && ms <= PROBE_TIMEOUT_RANGE.maxMs) return null;
  return `timeout ${timeout} is out of range: write one ${PROBE_TIMEOUT_RANGE.text}`;
}

/**
 * The path is resolved against BRAIFLOW_API_URL, and `//host/x` (or `/\\host/x`, which URL parsers
 * read the same way) would replace the host, and the standard user's token would go there.
 */
export function probePathProblem(path: string): string | null {
  if (!path.startsWith('/') || path[1] === '/' || path[1] === '\\') {
    return `path ${JSON.stringify(path)} must be a path on the BraiFlow API: one "/" then the path, e.g. /api/v1/me (never // or /\\, which name another host)`;
  }
  if (/[\\\p{Cc}]/u.test(path)) return `path ${JSON.stringify(path)} must not hold a backslash or control characters`;
  return null;
}

const link = z.object({
  title: z.string().min(1),
  url: z.url('must be an absolute http(s) URL'),
});

// Section blocks in Slack hold 3000 characters; the renderer adds the title and the
// "done by" line, so the detail itself is capped lower. Longer material belongs in a linked doc.
export const STEP_DETAIL_MAX = 2500;

/** Something that can go wrong, and exactly what to do then: a runbook's, or one step's own. */
const edgeCase = z.object({
  case: z.string().min(1),
  fallback: z.string().min(1),
});

export type EdgeCase = z.infer<typeof edgeCase>;

const step = z.object({
  id: slug,
  title: z.string().min(1).max(150),
  detail: z.string().min(1).max(STEP_DETAIL_MAX, `keep step detail under ${STEP_DETAIL_MAX} characters; link a doc for more`),
  probe: slug.optional(),
  /** Completing this step records the milestone (time to diagnose, time to mitigate). */
  marks: z.enum(['diagnosed', 'mitigated']).optional(),
  /** What can go wrong while doing this step; shown with the step, each with a This happened button. */
  edge_cases: z.array(edgeCase).max(9, 'keep a step to at most 9 edge cases; move the rest to the runbook-level list').optional(),
});

// Every probe runs by itself when the incident is declared, unless `auto: false` (it then waits
// for a person: /incident probe <id>, or its button). Credentials never live here, only in config.
const probeCommon = {
  id: slug,
  title: z.string().min(1).max(80),
  auto: z.boolean().default(true),
};

const probe = z.discriminatedUnion('kind', [
  z
    .object({
      ...probeCommon,
      kind: z.literal('http'),
      /** Path on the BraiFlow API base URL; the worker resolves it against configuration. */
      path: z.string().min(1),
      method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
      /** Which configured credential to call with; `standard-user` is a non-admin account. */
      as: z.enum(['anonymous', 'standard-user']).default('standard-user'),
      expect_status: z.number().int().min(100).max(599),
      /** The response's content type must start with this (e.g. application/pdf). */
      expect_content_type: z.string().min(1).optional(),
      /** JSON fields the body must hold, by dotted path: { "user.active": true }. */
      expect_json: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
      /** Slower than this is a fail even with the right answer. */
      max_latency: duration.optional(),
      timeout: duration.default('10s'),
    })
    .strict()
    // Here rather than on the fields, so that the message can name the probe.
    .superRefine((p, ctx) => {
      const path = probePathProblem(p.path);
      if (path) ctx.addIssue({ code: 'custom', path: ['path'], message: `http probe "${p.id}": ${path}` });
      const timeout = probeTimeoutProblem(p.timeout);
      if (timeout) ctx.addIssue({ code: 'custom', path: ['timeout'], message: `http probe "${p.id}": ${timeout}` });
    }),
  z
    .object({
      ...probeCommon,
      kind: z.literal('queue'),
      queue: z.string().min(1),
      max_waiting: z.number().int().min(0),
      max_failed: z.number().int().min(0),
      min_workers: z.number().int().min(0).optional(),
      max_oldest_waiting: duration.optional(),
    })
    .strict(),
  z
    .object({
      ...probeCommon,
      kind: z.literal('storage'),
      bucket: z.string().min(1),
      operation: z.enum(['read', 'write', 'list']),
      /** Which configured credentials to use: the app's own, or a standard user's. */
      as: z.enum(['app', 'standard-user']).default('app'),
      /** The object `read` fetches (default: probe/healthcheck.txt). */
      key: z.string().min(1).optional(),
    })
    .strict(),
]);

export type ProbeDef = z.infer<typeof probe>;

/**
 * Whom a level calls: `@handle` (a user group, else a user), `#channel`, a raw id (U…, W…, S…,
 * C…, G…), or `webhook:<name>`, whose URL and secret live in configuration, never here.
 */
export const ESCALATION_TARGET = /^(?:@[a-z0-9][a-z0-9._-]*|#[a-z0-9][a-z0-9._-]*|[UWSCG][A-Z0-9]{2,}|webhook:[a-z0-9][a-z0-9-]*)$/;
const WEBHOOK_PREFIX = 'webhook:';

/** The webhook a target names, or null for a chat target. */
export function webhookName(target: string): string | null {
  return target.startsWith(WEBHOOK_PREFIX) ? target.slice(WEBHOOK_PREFIX.length) : null;
}

const escalationLevel = z.object({
  after: duration,
  notify: z
    .array(z.string().regex(ESCALATION_TARGET, 'write @handle, #channel, a Slack id (U…, S…, C…) or webhook:<name>'))
    .min(1, 'name at least one person, rotation or channel to notify'),
});

/**
 * A check that confirms the fix, as a standard user: plain text, or `{ check, probes }` to name the
 * probes that test it, which are run again when the incident is resolved.
 */
const validationCheck = z.union([
  z.string().min(1),
  z
    .object({
      check: z.string().min(1).max(300),
      probes: z.array(slug).min(1, 'name at least one probe, or write the check as plain text').default([]),
    })
    .strict(),
]);

/** A quick_validation entry whichever way it was written; `number` counts from 1, as the lists show it. */
export interface ValidationCheck {
  number: number;
  text: string;
  probes: string[];
}

export function validationChecks(runbook: Pick<Runbook, 'quick_validation'>): ValidationCheck[] {
  return runbook.quick_validation.map((q, i) =>
    typeof q === 'string' ? { number: i + 1, text: q, probes: [] } : { number: i + 1, text: q.check, probes: q.probes },
  );
}

/** The probes the checks name, each once, in the order they are first named. */
export function validationProbes(runbook: Pick<Runbook, 'quick_validation'>): string[] {
  return [...new Set(validationChecks(runbook).flatMap((c) => c.probes))];
}

/** Why `re` is no regex (as Alertmanager reads it: anchored, `^(?:re)$`), or null. */
export function regexProblem(re: string): string | null {
  try {
    new RegExp(`^(?:${re})$`, 'u');
    return null;
  } catch (err) {
    return `${JSON.stringify(re)} is not a valid regex (${(err as Error).message}); it must match the whole label value, as in Alertmanager`;
  }
}

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name is letters, digits and "_" (as in Prometheus)');

/**
 * Which alerts declare this runbook, the way Alertmanager routes: every `match` label equal, every
 * `match_re` label matching its regex in full (anchored, as Alertmanager does). Loader checks the
 * regexes compile.
 */
const alertRoute = z
  .object({
    match: z.record(labelName, z.string()).default({}),
    match_re: z
      .record(
        labelName,
        z
          .string()
          .min(1)
          .refine((re) => regexProblem(re) === null, { error: (i) => `${regexProblem(String(i.input))}` }),
      )
      .default({}),
    /** The incident's severity; else the alert's `severity` label, else the runbook's. */
    severity: z.number().int().min(1).max(4).optional(),
  })
  .strict()
  .refine((r) => Object.keys(r.match).length + Object.keys(r.match_re).length > 0, 'give at least one label in match or match_re');

export type AlertRoute = z.infer<typeof alertRoute>;

export const runbookSchema = z
  .object({
    id: slug,
    title: z.string().min(1).max(120),
    class: slug,
    severity: z.number().int().min(1).max(4),
    aliases: z.array(slug).default([]),
    summary: z.string().min(1),
    owner: z.string().min(1),
    links: z.array(link).min(1, 'link at least the logs or a dashboard'),
    steps: z.array(step).min(1, 'a runbook needs at least one step'),
    probes: z.array(probe).default([]),
    /** Support names the cause within this long after the declaration, or the bot says so in the channel. */
    diagnose_within: duration.default('15m'),
    /** Resolving at this severity or worse (1 is worst) opens a post-mortem by itself. */
    postmortem_at_severity: z.number().int().min(1).max(4).default(2),
    /** Business days from resolution to the post-mortem's due date. */
    postmortem_due_days: z.number().int().min(1).max(60).default(5),
    /**
     * An incident at this severity or worse (1 is worst) pages the ladder's first level; a less
     * severe one starts at level 2, and its level 1 fires only if the severity is raised.
     */
    page_at_severity: z.number().int().min(1).max(4).default(2),
    /** The on-call ladder: the first level may be `after: 0m` (paged at declare); each later one is later. */
    escalation: z.array(escalationLevel).min(1, 'give at least one escalation level'),
    /** What confirms the fix, as a standard user; resolving asks for each (README, "Validate, then resolve"). */
    quick_validation: z.array(validationCheck).min(1),
    edge_cases: z.array(edgeCase).min(1, 'record at least one edge case with its fallback'),
    /** Alerts (POST /alerts/…) that declare this runbook by themselves. */
    alerts: z.array(alertRoute).default([]),
  })
  .strict();

export type Runbook = z.infer<typeof runbookSchema>;
