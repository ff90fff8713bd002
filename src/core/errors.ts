import type { AnalysisField } from './model';

/**
 * A refusal meant for the person who asked. It carries a code and the facts behind it, never
 * platform markup: each surface words it through core/render/replies.ts and formats the result.
 * Anything else that escapes a use case is a bug or an outage and is logged, not shown verbatim.
 */
export class UserError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.code);
    this.name = 'UserError';
  }

  get code(): Problem['code'] {
    return this.problem.code;
  }
}

/** What a person may be asked to do something about. `action` says what they tried. */
export type IncidentAction =
  | 'acknowledge'
  | 'mitigate'
  | 'resolve'
  | 'cancel'
  | 'set_severity'
  | 'set_commander'
  | 'tick_steps'
  | 'retry'
  | 'run_probes'
  | 'escalate'
  | 'diagnose'
  | 'add_action_item'
  | 'close_action_item'
  | 'open_postmortem'
  | 'move_postmortem'
  | 'record_edge_case'
  | 'set_class'
  | 'mark_duplicate'
  | 'link'
  | 'switch_runbook'
  | 'add_note'
  | 'edit_analysis'
  | 'set_impact_start';

/** What a typed text was for, as a refusal names it. */
export type TextField =
  'summary' | 'reason' | 'action item' | 'note' | 'impact' | 'root cause' | 'contributing factors' | 'what went well' | 'what went badly' | 'lessons';

/** Who may act instead, in the order a refusal names them. */
export type Role = { role: 'commander' | 'declarer' | 'owner' | 'post-mortem owner'; user: string } | { role: 'admin' };

export type Problem =
  | { code: 'unknown_runbook'; input: string; suggestions: string[]; runbooks: string[]; switching?: boolean }
  | { code: 'same_runbook'; incident: string; runbook: string; others: string[] }
  | { code: 'not_allowed'; incident: string; action: IncidentAction; can: Role[] }
  | { code: 'not_participant'; incident: string; action: IncidentAction; channel: string | null }
  | { code: 'ended'; incident: string; status: 'resolved' | 'cancelled'; action: IncidentAction; runbook: string }
  | {
      code: 'invalid_input';
      field:
        | 'severity'
        | 'commander'
        | 'window'
        | 'action'
        | 'due'
        | 'edge_case'
        | 'class'
        | 'duplicate'
        | 'link'
        | 'runbook'
        | 'note'
        | 'analysis'
        | 'impact_start';
    }
  /** `/incident started`: the time is after the declaration, or more than 30 days before it. */
  | { code: 'impact_start'; incident: string; reason: 'after_declaration' | 'too_early'; at: Date; declaredAt: Date; tz: string }
  | { code: 'relation_to_itself'; incident: string; relation: 'duplicate' | 'link' }
  | { code: 'duplicate_of_duplicate'; incident: string; target: string; original: string }
  | { code: 'too_long'; field: TextField; max: number; length: number }
  | { code: 'invisible_text'; field: TextField }
  /** A cause category that is not a slug (`storage-keys-rotated`): what was typed. */
  | { code: 'invalid_category'; input: string }
  /** `fields`: the parts of the analysis still empty, in order. */
  | { code: 'analysis_missing'; incident: string; to: 'in_review' | 'published'; fields: AnalysisField[] }
  /** A published (or closed) post-mortem's analysis is what was reviewed: it is not edited after. */
  | { code: 'analysis_locked'; incident: string; status: string }
  /** `/incident search` with nothing to search for, or more than `max` characters of it. */
  | { code: 'search_query'; reason: 'empty' }
  | { code: 'search_query'; reason: 'too_long'; max: number; length: number }
  | { code: 'unknown_action_item'; incident: string; number: number; open: number[] }
  | { code: 'no_postmortem'; incident: string }
  | { code: 'postmortem_state'; incident: string; status: string; to: string }
  /** `case` names a step's own edge case (`redis-health:4`); without it, `number` is in the runbook-level list. */
  | { code: 'unknown_edge_case'; incident: string; number: number; count: number; case?: string }
  | { code: 'unknown_step'; incident: string; step: string }
  | { code: 'unknown_probe'; incident: string; probe: string; probes: string[] }
  | { code: 'not_found' }
  | { code: 'unknown_incident'; ref: number }
  | { code: 'not_in_incident'; command: string }
  | { code: 'stale_button' }
  | { code: 'no_more_levels'; incident: string; levels: number; channel: string | null }
  | { code: 'wrong_place'; incident: string; channel: string | null }
  | { code: 'not_validated'; incident: string; unconfirmed: Array<{ number: number; text: string }> };

/**
 * Work that will never succeed however often it is retried (bad input, a missing incident).
 * The job layer stops retrying on it; adapters throw it instead of any queue library's type.
 */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

/**
 * The store is sure it wrote nothing: the database refused or was never reached. Only then may a
 * person be told that something was not recorded; a write that timed out may still have landed.
 */
export class NotWrittenError extends Error {
  constructor(cause: unknown) {
    super(`not written: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'NotWrittenError';
  }
}

/** Work refused for now with a time to come back (Slack's Retry-After): wait that long, then retry. */
export class RetryLaterError extends Error {
  constructor(
    readonly afterMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}
