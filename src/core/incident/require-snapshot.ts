import { PermanentError } from '../errors';
import type { IncidentStore } from '../ports';
import type { Snapshot } from '../model';

/**
 * The incident's stored state, for work queued about it. An incident that does not exist will not
 * appear on a retry, so its absence is a PermanentError: the job fails once instead of retrying.
 */
export async function requireSnapshot(store: Pick<IncidentStore, 'get'>, incidentId: string): Promise<Snapshot> {
  const snap = await store.get(incidentId);
  if (!snap) throw new PermanentError(`incident ${incidentId} does not exist`);
  return snap;
}
