/**
 * After each kill: when was everything declared before it set up (channel, header, checklist)?
 * Checked on every World refresh, so the times are good to about one refresh interval.
 * (The other two recovery times, restart and first ack, are stamped by the BotSupervisor.)
 */
import type { BotSupervisor } from './bot-supervisor';
import { isProvisioned, type IncidentRow, type World } from './world';

const OPEN = (i: IncidentRow) => i.status !== 'resolved' && i.status !== 'cancelled';

export function watchRecovery(world: World, bot: BotSupervisor): void {
  world.onRefresh(() => {
    const pending = bot.kills.filter((k) => k.provisionedAt === null);
    if (pending.length === 0) return;
    const channels = world.channels();
    const now = Date.now();
    for (const k of pending) {
      const before = world.incidents.filter((i) => OPEN(i) && i.declared_at.getTime() <= k.killAt);
      if (before.every((i) => isProvisioned(i, channels))) k.provisionedAt = now;
    }
  });
}

export interface Quiescence {
  reached: boolean;
  ms: number;
  /** Open incidents without their channel, header or checklist when the wait ended. */
  unprovisioned: IncidentRow[];
  /** The fake Slack heard nothing for QUIET_MS at the end (no retries or renders still going). */
  quiet: boolean;
}

const QUIET_MS = 1_500;

/** Waits until every open incident is set up and Slack traffic has stopped, or `timeoutMs` passes. */
export async function waitQuiescent(world: World, timeoutMs: number): Promise<Quiescence> {
  const started = Date.now();
  const deadline = started + Math.max(0, timeoutMs);
  for (;;) {
    await world.refresh();
    const channels = world.channels();
    const unprovisioned = world.incidents.filter((i) => OPEN(i) && !isProvisioned(i, channels));
    const quiet = !!world.summary && Date.now() - world.summary.lastActivityAt >= QUIET_MS;
    if ((unprovisioned.length === 0 && quiet) || Date.now() > deadline) {
      return { reached: unprovisioned.length === 0, ms: Date.now() - started, unprovisioned, quiet };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
