export const STATUSES = ['declared', 'acknowledged', 'mitigated', 'resolved', 'cancelled'] as const;
export type Status = (typeof STATUSES)[number];
export type StepState = 'open' | 'done' | 'skipped';

export interface Incident {
  id: string;
  number: number;
  playbookId: string;
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
}

export interface ChecklistStep {
  stepId: string;
  position: number;
  title: string;
  state: StepState;
  changedBy: string | null;
  changedAt: Date | null;
}

/** An incident with its checklist: what every decision and every message is computed from. */
export interface Snapshot {
  incident: Incident;
  steps: ChecklistStep[];
}

/**
 * Who asks, as the adapter resolved it: `isAdmin` from INCIDENT_ADMINS (which may name a user
 * group), `inChannel` from the incident channel's members.
 */
export interface Actor {
  id: string;
  isAdmin: boolean;
  inChannel: boolean;
}

export function isOpen(incident: Incident): boolean {
  return incident.status !== 'resolved' && incident.status !== 'cancelled';
}

export function label(incident: Pick<Incident, 'number'>): string {
  return `INC-${incident.number}`;
}
