import type { ChecklistStep, Incident, Snapshot } from './incident/model';

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

export interface NewJob {
  kind: string;
  payload: Record<string, unknown>;
  /** Deterministic: the same job written twice is one job. */
  dedupeKey: string;
  runAt: Date;
}

export type IncidentPatch = Partial<
  Pick<
    Incident,
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
  >
>;

/** What a use case decided. No events means nothing changed and nothing is written. */
export interface Change {
  incident?: IncidentPatch;
  steps?: Array<Pick<ChecklistStep, 'stepId' | 'state' | 'changedBy' | 'changedAt'>>;
  events: NewEvent[];
  jobs?: NewJob[];
}

export type NewIncident = Omit<
  Incident,
  'id' | 'number' | 'version' | 'acknowledgedAt' | 'diagnosedAt' | 'mitigatedAt' | 'resolvedAt' | 'cancelledAt' | 'resolution' | 'channelId'
> & { channelId?: string | null };

export interface IncidentStore {
  /** Inserts the incident, its checklist, the event from `build` and its jobs in one transaction. */
  create(
    incident: NewIncident,
    steps: Array<Pick<ChecklistStep, 'stepId' | 'position' | 'title'>>,
    build: (created: Incident) => Change,
  ): Promise<Snapshot>;
  /**
   * Locks the incident, lets `decide` compute a Change from the current snapshot, and writes it
   * in the same transaction. A replayed event key or an empty change leaves everything as it was.
   */
  mutate(incidentId: string, decide: (current: Snapshot) => Change): Promise<{ snapshot: Snapshot; changed: boolean }>;
  get(incidentId: string): Promise<Snapshot | null>;
  findByChannel(platform: string, channelId: string): Promise<Snapshot | null>;
  listOpen(platform: string, workspace: string | null): Promise<Incident[]>;
}
