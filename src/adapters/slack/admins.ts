import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../util/logger';

/** INCIDENT_ADMINS as user IDs and user groups; group members are fetched and cached briefly. */
export class SlackAdmins {
  private cache: { users: Set<string>; until: number } | null = null;

  constructor(
    private readonly client: WebClient,
    private readonly admins: { users: string[]; groups: string[] },
    private readonly logger: Logger,
    private readonly ttlMs = 60_000,
  ) {}

  async isAdmin(userId: string): Promise<boolean> {
    if (this.admins.users.includes(userId)) return true;
    if (this.admins.groups.length === 0) return false;
    return (await this.groupMembers()).has(userId);
  }

  private async groupMembers(): Promise<Set<string>> {
    if (this.cache && this.cache.until > Date.now()) return this.cache.users;
    const users = new Set<string>();
    for (const usergroup of this.admins.groups) {
      try {
        const res = await this.client.usergroups.users.list({ usergroup });
        for (const u of res.users ?? []) users.add(u);
      } catch (err) {
        // Fail closed: an unreadable group grants nothing. The refusal message names who can act.
        this.logger.warn({ usergroup, err }, 'cannot read INCIDENT_ADMINS user group (needs usergroups:read)');
      }
    }
    this.cache = { users, until: Date.now() + this.ttlMs };
    return users;
  }
}
