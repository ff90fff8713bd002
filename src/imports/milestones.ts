import type { PastIncident } from './types';

/**
 * Why a row would break `milestones_in_order` (migrations/0001_init.sql), or null. Checked before
 * writing so that such a row is skipped with its reason instead of failing its whole batch.
 */
export function milestoneProblem(i: PastIncident): string | null {
  const declared = i.declaredAt.getTime();
  if (i.acknowledgedAt && i.acknowledgedAt.getTime() < declared) return 'acknowledged before declared';
  if (i.diagnosedAt && i.diagnosedAt.getTime() < declared) return 'diagnosed before declared';
  if (i.resolvedAt && i.resolvedAt.getTime() < declared) return 'resolved before declared';
  if (i.resolvedAt && i.acknowledgedAt && i.resolvedAt.getTime() < i.acknowledgedAt.getTime()) return 'resolved before acknowledged';
  return null;
}
