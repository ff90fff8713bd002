import type { WebClient } from '@slack/web-api';

/** Zones change rarely (travel); an hour keeps `started` typed twice from asking twice. */
const KEEP_MS = 60 * 60_000;
const MAX_KEPT = 1_000;
/** The answer is on Slack's 3-second ack path: past this, the team's zone is used and the reply says so. */
const ASK_MS = 1_000;

const kept = new Map<string, { tz: string | null; until: number }>();

/**
 * The zone in a person's Slack profile (`users.info`'s `tz`), or null when Slack does not say
 * in time. Slash commands carry no zone, so the one command that reads a typed time asks.
 */
export async function slackUserZone(client: WebClient, workspace: string | null, user: string): Promise<string | null> {
  const key = `${workspace ?? ''}:${user}`;
  const hit = kept.get(key);
  if (hit && hit.until > Date.now()) return hit.tz;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ASK_MS, undefined)));
  try {
    const asked = client.users.info({ user }).then((r) => (r.user as { tz?: string } | undefined)?.tz ?? null);
    const tz = await Promise.race([asked, late]);
    // Only an answer is kept: a slow or failed call asks again next time.
    if (tz === undefined) return null;
    if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value!);
    kept.set(key, { tz, until: Date.now() + KEEP_MS });
    return tz;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
