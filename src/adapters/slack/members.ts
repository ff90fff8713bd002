import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../util/logger';

const TTL_MS = 60_000;

/** Members of incident channels, cached briefly: every click asks, and Slack rate-limits the call. */
export class SlackMembers {
  private cache = new Map<string, { users: Set<string>; at: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
  ) {}

  async isMember(channel: string, user: string): Promise<boolean> {
    // Only a hit is trusted from the cache: someone told to join and clicking again must be seen at once.
    const cached = this.cache.get(channel);
    if (cached && Date.now() - cached.at < TTL_MS && cached.users.has(user)) return true;
    try {
      const users = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await this.client.conversations.members({ channel, limit: 1000, cursor });
        for (const u of page.members ?? []) users.add(u);
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
      this.cache.set(channel, { users, at: Date.now() });
      return users.has(user);
    } catch (err) {
      // Fail open: a missing scope must not stop responders ticking steps at 3 a.m.
      this.logger.warn({ platform: 'slack', channel, actor: user, err }, 'cannot list channel members (needs channels:read); allowing the action');
      return true;
    }
  }
}
