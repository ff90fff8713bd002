import type { WebClient } from '@slack/web-api';

/** The metadata event type on messages posted with a key, to recognise them in the channel. */
const KEYED_EVENT = 'braiflow_incident_notice';

/**
 * Posts `text` in `channel` unless a message with this incident and key is already there.
 *
 * The history is read before every keyed post, not only on retries: a worker killed after Slack
 * took the message comes back through BullMQ's stalled-job check, which does not count an attempt,
 * so the next try looks like a first one. Keyed posts are rare (one per notice), so the extra call is cheap.
 */
export async function postOnce(
  client: WebClient,
  channel: string,
  incidentId: string,
  key: string,
  text: string,
  blocks?: Array<Record<string, unknown>>,
): Promise<void> {
  if (await alreadyPosted(client, channel, incidentId, key)) return;
  await client.chat.postMessage({
    channel,
    text,
    ...(blocks ? { blocks: blocks as never } : {}),
    unfurl_links: false,
    metadata: { event_type: KEYED_EVENT, event_payload: { incident_id: incidentId, key } },
  });
}

async function alreadyPosted(client: WebClient, channel: string, incidentId: string, key: string): Promise<boolean> {
  // A notice is posted within minutes of being decided, so it is among the channel's latest messages.
  const history = await client.conversations.history({ channel, include_all_metadata: true, limit: 200 });
  return (history.messages ?? []).some((m) => {
    const meta = m.metadata as { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
    return meta?.event_type === KEYED_EVENT && meta.event_payload?.incident_id === incidentId && meta.event_payload?.key === key;
  });
}
