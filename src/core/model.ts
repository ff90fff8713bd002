export type Status = 'declared' | 'acknowledged' | 'mitigated' | 'resolved' | 'cancelled';
export type StepState = 'open' | 'done';

/** Who declared an incident an alert opened: `alert:alertmanager`, `alert:generic`. Nobody to invite or mention. */
export const ALERT_ACTOR_PREFIX = 'alert:';

export function isAlertActor(id: string): boolean {
  return id.startsWith(ALERT_ACTOR_PREFIX);
}

export interface Incident {
  id: string;
  number: number;
  runbookId: string;
  class: string;
  title: string;
  severity: number;
  status: Status;
  platform: string;
  workspace: string | null;
  channelId: string | null;
  declaredBy: string;
  commander: string | null;
  summary: string | null;
  resolution: string | null;
  declaredAt: Date;
  acknowledgedAt: Date | null;
  diagnosedAt: Date | null;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  cancelledAt: Date | null;
  version: number;
  /** The incident this one was closed as a duplicate of (it is then `cancelled`); absent where not read. */
  duplicateOf?: string | null;
  /** At resolve: whether every quick_validation check was confirmed; null when none was asked. */
  validationConfirmed?: boolean | null;
  /** At resolve: the numbers (from 1) of the checks confirmed. */
  validatedChecks?: number[] | null;
  /**
   * When impact began, where something said so: an alert's startsAt, `/incident started`, an
   * import. Never after `declaredAt`. The store always reads it; optional so hand-built incidents need not.
   */
  impactStartedAt?: Date | null;
  /**
   * The diagnose_within of the runbook that rules the incident (set at declare and at a switch), in
   * seconds: "diagnosed in time" in the reports is counted against it. The store always reads it.
   */
  diagnoseWithinSeconds?: number;
}

export interface ChecklistStep {
  stepId: string;
  position: number;
  title: string;
  state: StepState;
  changedBy: string | null;
  changedAt: Date | null;
}

/** The latest run of one of the runbook's probes. */
export interface ProbeRun {
  id: string;
  probeId: string;
  status: 'queued' | 'pass' | 'fail' | 'error';
  reason: string | null;
  queuedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
}

/** An escalation level that fired. */
export interface FiredLevel {
  level: number;
  targets: string[];
  /** `severity`: raising the severity to a paging level fired it, `by` is who raised it. */
  reason: 'timeout' | 'manual' | 'severity';
  at: Date;
  /** Who escalated by hand, and what they said; null when the level timed out. */
  by: string | null;
  note: string | null;
}

export type PostmortemStatus = 'draft' | 'in_review' | 'published' | 'closed';

/** The post-mortem of a major incident; its text is rendered from the stored timeline, never stored. */
export interface Postmortem {
  status: PostmortemStatus;
  owner: string | null;
  /** A calendar day, YYYY-MM-DD. */
  dueOn: string;
  openedAt: Date;
  /** Who asked for it, or the bot when a resolve opened it. */
  openedBy: string;
  reviewedAt: Date | null;
  publishedAt: Date | null;
  closedAt: Date | null;
  /** What people wrote about the incident; absent where it was not read. */
  analysis?: PostmortemAnalysis;
  analysisUpdatedAt?: Date | null;
  analysisUpdatedBy?: string | null;
}

/** The parts of a post-mortem's analysis, in the order it is written and shown. */
export const ANALYSIS_FIELDS = ['impactSummary', 'rootCause', 'causeCategory', 'contributingFactors', 'wentWell', 'wentBadly', 'lessons'] as const;
export type AnalysisField = (typeof ANALYSIS_FIELDS)[number];

/**
 * Null until written. "n/a" is a value someone chose (the part does not apply), so publishing can
 * tell it from a part nobody wrote. The cause category is a slug (`storage-keys-rotated`), or null.
 */
export type PostmortemAnalysis = Record<AnalysisField, string | null>;

/** What a person writes to say a part of the analysis does not apply. */
export const NOT_APPLICABLE = 'n/a';

/** Follow-up work from an incident, numbered per incident from 1. */
export interface ActionItem {
  number: number;
  text: string;
  owner: string | null;
  /** A calendar day, YYYY-MM-DD; overdue from the day after. */
  dueOn: string | null;
  createdAt: Date;
  createdBy: string;
  closedAt: Date | null;
  closedBy: string | null;
}

/**
 * A checklist the incident worked before its runbook was switched: kept with who did what, shown
 * read-only under the switch that replaced it.
 */
export interface ReplacedChecklist {
  /** 1 for the declare's checklist, then one more per switch. */
  generation: number;
  runbookId: string;
  steps: ChecklistStep[];
  replacedAt: Date;
  replacedBy: string;
  /** The runbook switched to. */
  replacedWith: string;
  reason: string | null;
}

/** An edge case someone said happened: the first time only (it is recorded once per case). */
export interface EdgeCaseHit {
  /** The step whose own case it is, or null for the runbook-level list. */
  step: string | null;
  /** 1-based, in its list. */
  n: number;
  by: string;
  at: Date;
}

/**
 * Something a person added to the timeline: a `/incident note`, or a message pinned with 📌. The
 * text is stored as written (within MAX_TEXT) and escaped by each surface.
 */
export interface Note {
  text: string;
  /** Who added it. */
  by: string;
  at: Date;
  /** A pinned message's author (null when typed as a note, or when the author is unknown). */
  author: string | null;
  /** A pinned message's permalink; null for a typed note. */
  link: string | null;
  /** The pinned message, as `<room>/<message id>`: it is added once. Null for a typed note. */
  message: string | null;
}

/** An incident with its checklist: what every decision and every message is computed from. */
export interface Snapshot {
  incident: Incident;
  /** The checklist of the incident's current runbook. */
  steps: ChecklistStep[];
  /** Checklists of runbooks the incident was switched away from, oldest first; absent where none could be. */
  replaced?: ReplacedChecklist[];
  /** The latest run of each probe; absent where nothing asked for probes. */
  probes?: ProbeRun[];
  /** The levels fired so far, in order; absent where none could have. */
  escalations?: FiredLevel[];
  /** Null when none was opened; absent where it was not read. */
  postmortem?: Postmortem | null;
  /** In number order; absent where they were not read. */
  actionItems?: ActionItem[];
  /** Incidents it is tied to, by number; absent where they were not read. */
  relations?: Relations;
  /** The edge cases recorded so far, in the order they happened; absent where they were not read. */
  edgeCasesHit?: EdgeCaseHit[];
  /** Notes added to the timeline, oldest first; absent where they were not read. */
  notes?: Note[];
}

/** How an incident is tied to others, each named by its number (INC-<n>). */
export interface Relations {
  /** The incident this one was closed as a duplicate of. */
  duplicateOf: number | null;
  /** Incidents closed as duplicates of this one. */
  duplicates: number[];
  /** Incidents linked as related, both ways. */
  related: number[];
}

/**
 * Who asks, as the platform resolved it: `isAdmin` from its admin setting (which may name a
 * group), `inChannel` from the incident room's members.
 */
export interface Actor {
  id: string;
  isAdmin: boolean;
  inChannel: boolean;
}

export function isOpen(incident: Pick<Incident, 'status'>): boolean {
  return incident.status !== 'resolved' && incident.status !== 'cancelled';
}

export function label(incident: Pick<Incident, 'number'>): string {
  return `INC-${incident.number}`;
}

/** No cause recorded yet, and the incident is still open: the diagnosis clock still runs. */
export function awaitingCause(i: Incident): boolean {
  return i.diagnosedAt === null && isOpen(i);
}

/** Which checklist the incident works now: 1 until its runbook is first switched. */
export function checklistGeneration(s: Pick<Snapshot, 'replaced'>): number {
  return (s.replaced?.length ?? 0) + 1;
}
