import type { WebClient } from '@slack/web-api';
import type { Text } from '../../core/text/text';
import type { DigestPoster } from '../../jobs/handlers/digest-weekly';
import { mrkdwn } from './format';

/** The metadata event type on digest messages, to find one again instead of posting it twice. */
const DIGEST_EVENT = 'braiflow_weekly_digest';

/**
 * Posts the digest as mrkdwn unless a message with its key is already in the channel: the
 * database claim keeps other bots out, and this keeps out our own retry after a crash mid-post.
 * Returns the message's ts.
 */
export class SlackDigestPoster implements DigestPoster {
  constructor(private readonly client: WebClient) {}

  async post(channel: string, key: string, text: Text): Promise<string> {
    const found = await this.find(channel, key);
    if (found) return found;
    const res = await this.client.chat.postMessage({
      channel,
      text: mrkdwn(text),
      mrkdwn: true,
      unfurl_links: false,
      metadata: { event_type: DIGEST_EVENT, event_payload: { key } },
    });
    return res.ts!;
  }

  private async find(channel: string, key: string): Promise<string | null> {
    // A retry comes within minutes of the first try, so the message is among the latest ones.
    const history = await this.client.conversations.history({ channel, include_all_metadata: true, limit: 200 });
    const m = (history.messages ?? []).find((msg) => {
      const meta = msg.metadata as { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
      return meta?.event_type === DIGEST_EVENT && meta.event_payload?.key === key;
    });
    return m?.ts ?? null;
  }
}
