import type {
  ActionItem,
  Actor,
  ChecklistStep,
  EdgeCaseHit,
  FiredLevel,
  Incident,
  Note,
  Postmortem,
  PostmortemAnalysis,
  PostmortemStatus,
  Snapshot,
} from './model';
import type { NewJob } from './jobs';
import type { Text } from './text/text';
import type { ActionView } from './text/actions';

/** Where the core reports what an operator must be able to find later (pino fits). */
export interface OpsLog {
  error(obj: object, msg: string): void;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface NewEvent {
  kind: string;
  actor: string;
  at: Date;
  data?: Record<string, unknown>;
  /** Unique across the timeline: a replayed request with the same key records nothing. */
  key: string;
}

/** A job a Change queues: its kind names its payload (src/core/jobs.ts). */
export type { NewJob } from './jobs';

export type IncidentPatch = Partial<
  Pick<
    Incident,
    | 'runbookId'
    | 'class'
    | 'status'
    | 'severity'
    | 'commander'
    | 'channelId'
    | 'resolution'
    | 'acknowledgedAt'
    | 'diagnosedAt'
    | 'mitigatedAt'
    | 'resolvedAt'
    | 'cancelledAt'
    | 'validationConfirmed'
    | 'validatedChecks'
    | 'impactStartedAt'
    | 'diagnoseWithinSeconds'
  >
> & {
  /** Closes the incident as a duplicate of this one (with status `cancelled`). */
  duplicateOf?: string;
  /** How the incident was acknowledged (`AckVia`), written with `acknowledgedAt`; MTTA counts responders only. */
  acknowledgedVia?: string;
};

export interface NewProbeRun {
  id: string;
  probeId: string;
  requestedBy: string;
  queuedAt: Date;
}

export interface ProbeResult {
  runId: string;
  status: 'pass' | 'fail' | 'error';
  reason: string;
  detail: Record<string, unknown>;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
}

/** What a use case decided. No events means nothing changed and nothing is written. */
export interface Change {
  incident?: IncidentPatch;
  steps?: Array<Pick<ChecklistStep, 'stepId' | 'state' | 'changedBy' | 'changedAt'>>;
  events: NewEvent[];
  jobs?: NewJob[];
  /** Probe runs to queue (written with the jobs that run them). */
  probeRuns?: NewProbeRun[];
  /** A probe run's result; written only if that run has not finished yet. */
  probeResult?: ProbeResult;
  /** An escalation level firing: written once per incident and level, or the change is a replay. */
  escalation?: FiredLevel;
  /** Opens the incident's post-mortem (once), or moves it on. */
  postmortem?: { open: Pick<Postmortem, 'owner' | 'dueOn' | 'openedAt' | 'openedBy'> } | { to: PostmortemStatus; at: Date };
  /** Writes these parts of the post-mortem's analysis (null clears one), with who and when. */
  postmortemAnalysis?: { set: Partial<PostmortemAnalysis>; at: Date; by: string };
  /** Adds an action item (its number chosen under the incident's lock), or closes one. */
  actionItem?: { add: Pick<ActionItem, 'number' | 'text' | 'owner' | 'dueOn' | 'createdAt' | 'createdBy'> } | { close: number; at: Date; by: string };
  /**
   * Switches the incident to another runbook: its checklist becomes generation `generation`, the
   * old steps stay stored. Written once per incident and generation, or the change is a replay.
   */
  runbookChange?: NewRunbookChange;
  /** The edge case its `edge_case.hit` event records, for the snapshot the change returns. */
  edgeCaseHit?: EdgeCaseHit;
  /** The note its `note.added` event records, for the snapshot the change returns. */
  note?: Note;
  /** The request that asked for the change: written once per incident, or the change is a replay. */
  requestKey?: string;
}

/** What a use case on two incidents decided: a change for each, and whether they become related. */
export interface PairChange {
  first: Change;
  second: Change;
  /** Records the two as related (once: a pair already linked stays as it was). */
  link?: { at: Date; by: string };
}

export interface NewRunbookChange {
  generation: number;
  from: string;
  to: string;
  at: Date;
  by: string;
  reason: string | null;
  steps: Array<Pick<ChecklistStep, 'stepId' | 'position' | 'title'>>;
}

/** An escalation level firing, as written: the same shape as the level read back. */
export type NewEscalation = FiredLevel;

/** The id is chosen by the core, so events and jobs can name the incident before it is written. */
export type NewIncident = Omit<
  Incident,
  'number' | 'version' | 'acknowledgedAt' | 'diagnosedAt' | 'mitigatedAt' | 'resolvedAt' | 'cancelledAt' | 'resolution' | 'channelId'
> & {
  channelId?: string | null;
  /** The platform's id for the declaring request; a second declare with the same key finds the first. */
  requestKey?: string | null;
  /** When impact began, if something said so before anyone declared (an alert's startsAt). */
  impactStartedAt?: Date | null;
  /** The number given when the declare was recorded (accept); else the next one. */
  number?: number | null;
};

export interface IncidentStore {
  /**
   * Inserts the incident, its checklist, the change's events and its jobs in one transaction.
   * If an incident with the same request key exists, writes nothing and returns that one.
   */
  create(
    incident: NewIncident,
    steps: Array<Pick<ChecklistStep, 'stepId' | 'position' | 'title'>>,
    change: Change,
  ): Promise<{ snapshot: Snapshot; created: boolean }>;
  /**
   * Records a declare to be made (accept-declare.ts), as a job for this process to run at once,
   * with the incident's number taken now and written into its payload. A job with the same dedupe
   * key recorded before is kept: `accepted` is false and `number` is that job's.
   */
  accept(job: NewJob & { kind: 'incident.declare' }): Promise<{ accepted: boolean; number: number }>;
  /**
   * Lets `decide` compute a Change from the current snapshot and writes it in one transaction, onto
   * the version it decided on: if another change came first, `decide` runs again on the incident as
   * that one left it. A replayed event key or request key, or an empty change, leaves everything as
   * it was. `seen`: the incident as read moments ago, for `decide` to start from instead of reading
   * it again; if it is no longer current, it is read again as above.
   */
  mutate(incidentId: string, decide: (current: Snapshot) => Change, seen?: Snapshot): Promise<{ snapshot: Snapshot; changed: boolean }>;
  /**
   * `mutate` for a change that ties two incidents (a duplicate, a link): both locked, both
   * changes and the link (if any) written in one transaction. A replayed key in either writes
   * nothing at all. The snapshots come back in the order given.
   */
  mutatePair(
    firstId: string,
    secondId: string,
    decide: (first: Snapshot, second: Snapshot) => PairChange,
  ): Promise<{ snapshots: [Snapshot, Snapshot]; changed: boolean }>;
  /**
   * Writes a change carrying a probe result (its events, jobs, a version bump) in one statement,
   * without reading the incident, and only if that run has not finished yet. True if it wrote.
   */
  recordProbeResult(incidentId: string, change: Change): Promise<boolean>;
  /** Which of these runs of the incident have no result yet. */
  unfinishedProbeRuns(incidentId: string, runIds: string[]): Promise<string[]>;
  get(incidentId: string): Promise<Snapshot | null>;
  findByChannel(platform: string, channelId: string): Promise<Snapshot | null>;
  /** INC-<number> of a workspace on a platform. */
  findByNumber(platform: string, workspace: string | null, number: number): Promise<Snapshot | null>;
  /** Open incidents declared before `olderThan` whose setup has no job left to finish it. */
  listStranded(olderThan: Date, limit: number): Promise<Array<Pick<Incident, 'id' | 'number' | 'platform'>>>;
  listOpen(platform: string, workspace: string | null): Promise<Incident[]>;
  /** The incident's timeline, oldest first: what a post-mortem is written from. */
  timeline(incidentId: string): Promise<TimelineEvent[]>;
}

/** One stored event of an incident's timeline. */
export interface TimelineEvent {
  at: Date;
  actor: string;
  kind: string;
  data: Record<string, unknown>;
}

/** A fired escalation level, as the platform delivers it. */
export interface EscalationNotice {
  incidentId: string;
  level: number;
  /**
   * The level's chat targets as the runbook writes them: `@handle` (a user group or a user),
   * `#channel`, or raw ids (`U…`, `W…`, `S…`, `C…`, `G…`). Webhook targets are called apart.
   */
  targets: string[];
  /** What happened, worded by the core, without the targets: the platform names those itself. */
  text: Text;
  /** Where a target that cannot be reached is fixed, e.g. `playbooks/pdf-404.yaml, escalation.1.notify`. */
  fixAt: string;
  /**
   * The buttons every page carries (Acknowledge), in the room's callout and in each person's direct
   * message or 1:1 card; a click on one acknowledges from wherever the page reached them.
   */
  actions: ActionView[];
}

/** Where a platform should answer the person who asked (a Slack response_url …); opaque to the core. */
export type ReplyTo = Record<string, unknown>;

/** Which try of a job this is; `final` means nobody will retry it, so now is the time to say so. */
export interface JobAttempt {
  attempt: number;
  final: boolean;
}

/**
 * One chat platform (Slack, Teams, the console). The core and the job layer speak to every
 * platform through this, and never to an SDK. Throw PermanentError for work that cannot succeed.
 */
export interface ChatPlatform {
  /** The `platform` column of the incidents it opens. */
  readonly name: string;
  /** Opens the incident's room, brings the declarer in, posts its messages, tells the declarer where. */
  provision(incidentId: string, replyTo: ReplyTo | null, attempt: JobAttempt): Promise<void>;
  /** Brings the incident's messages up to date with stored state. */
  render(incidentId: string, attempt: JobAttempt): Promise<void>;
  /**
   * Says something in the incident's room, for everyone working it. A `key` makes it said once:
   * a try killed after the platform took the message leaves it there, and the next try finds it.
   */
  post(incidentId: string, text: Text, opts?: { key?: string; actions?: ActionView[] }): Promise<void>;
  /**
   * Says something once in the announce channel (outside the incident's room), keyed like `post`;
   * does nothing where no announce channel is configured. Absent on platforms without one.
   */
  announce?(incidentId: string, text: Text, key: string): Promise<void>;
  /** A link that opens the incident's room, for people outside the platform; null before it exists. */
  roomUrl(incident: Incident): string | null;
  /**
   * Brings a fired escalation level to its targets: names them in the incident's room, brings
   * the people in, tells user targets privately, and says in the room which targets could not be
   * reached and where to fix them. Safe to run again: nothing is said or sent twice.
   */
  escalate(notice: EscalationNotice, attempt: JobAttempt): Promise<void>;
  /**
   * Optional: whether escalation `targets` (chat targets as the runbook writes them) name `userId`,
   * resolved the way `escalate` resolves them (a Slack user group's members, a user, a Teams member
   * of `room`'s team). Platforms without it never find the declarer among level 1's targets.
   */
  reaches?(targets: string[], userId: string, room: string | null): Promise<boolean>;
  /** Tells one person privately, where they asked (`replyTo`). */
  notify(replyTo: ReplyTo, text: Text): Promise<void>;
  /** Tells one person privately about an incident, unasked (a reminder): a direct message. */
  remind(userId: string, incident: Pick<Incident, 'id' | 'workspace' | 'channelId'>, text: Text): Promise<void>;
  /** Brings someone's own page up to date (Slack's App Home); platforms without one do nothing. */
  refreshHome?(workspace: string | null, userId: string): Promise<void>;
  /**
   * Who `userId` is for `incident`: an admin? in its room? `origin` is where the request came
   * from: typing a command in a room proves membership on some platforms, clicking does not.
   */
  resolveActor(userId: string, incident: Incident | null, origin: { room: string | null; via: 'command' | 'click' }): Promise<Actor>;
}
