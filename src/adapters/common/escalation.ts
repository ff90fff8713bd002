import { requireSnapshot } from '../../core/incident/require-snapshot';
import type { CoreDeps } from '../../core/incident/deps';
import type { Snapshot } from '../../core/model';
import type { EscalationNotice } from '../../core/ports';

/** A fired level about to be delivered: the incident, its room, and the key its messages are posted under. */
export interface OpenedEscalation {
  snap: Snapshot;
  room: string;
  key: string;
}

/**
 * The opening every platform's escalation shares: reads the incident, which must have a room by
 * now, and hands it to `deliver`. Whatever fails is passed through the platform's `forJobs`, so
 * the job retries a passing failure and stops on a permanent one.
 * `roomWord` names the room in the error thrown while setup is still opening it.
 */
export async function deliverEscalation(
  deps: CoreDeps,
  notice: EscalationNotice,
  opts: { roomWord: string; forJobs: (err: unknown) => unknown },
  deliver: (level: OpenedEscalation) => Promise<void>,
): Promise<void> {
  try {
    const snap = await requireSnapshot(deps.store, notice.incidentId);
    const room = snap.incident.channelId;
    // Setup may still be opening the room; the job's next try finds it.
    if (!room) throw new Error(`incident ${notice.incidentId} has no ${opts.roomWord} yet`);
    await deliver({ snap, room, key: `escalation:${notice.level}` });
  } catch (err) {
    throw opts.forJobs(err);
  }
}
