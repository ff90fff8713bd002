import type { Activity, ChannelAccount, ConversationParameters, ConversationReference, TurnContext } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { PermanentError } from '../../core/errors';
import type { StoredReference, TeamsDirectory } from '../../store/teams-directory';
import type { TeamsAdapter } from './adapter';
import { threadParts } from './ids';

export type OutgoingActivity = Partial<Activity>;

export interface TeamsMember {
  id: string;
  aadObjectId?: string;
  name?: string;
  email?: string;
  userPrincipalName?: string;
}

/**
 * Speaking first in Teams: every call runs inside a proactive turn on a stored conversation
 * reference (it carries the service URL and the bot's identity), through that turn's connector
 * client. Callers name conversations by id only; where the bot never heard from a conversation
 * (a configured channel), the nearest reference of the same team lends its service URL.
 */
export class TeamsConnector {
  constructor(
    private readonly adapter: TeamsAdapter,
    private readonly directory: TeamsDirectory,
  ) {}

  /** Posts in a conversation (a thread, a chat); returns the new message's id. */
  async send(conversationId: string, activity: OutgoingActivity): Promise<string> {
    return this.withClient(conversationId, async (client) => {
      const res = await client.conversations.sendToConversation(conversationId, { type: 'message', ...activity });
      return res.id ?? '';
    });
  }

  async update(conversationId: string, activityId: string, activity: OutgoingActivity): Promise<void> {
    await this.withClient(conversationId, (client) => client.conversations.updateActivity(conversationId, activityId, { type: 'message', id: activityId, ...activity }));
  }

  /**
   * Starts a thread in a channel with `activity` as its first message. Returns the thread's
   * conversation id (`<channel>;messageid=<id>`, what replies in it carry) and the message's id.
   */
  async openThread(channelId: string, activity: OutgoingActivity): Promise<{ conversationId: string; activityId: string }> {
    return this.withClient(channelId, async (client, ref) => {
      const params: ConversationParameters = {
        isGroup: true,
        bot: ref.bot as ChannelAccount,
        channelData: { channel: { id: channelId } },
        activity: { type: 'message', ...activity } as Activity,
        tenantId: ref.conversation?.tenantId,
      } as ConversationParameters;
      const res = await client.conversations.createConversation(params);
      const activityId = res.activityId ?? threadParts(res.id).messageId;
      if (!activityId) throw new Error('Teams opened a thread but returned no message id');
      const conversationId = threadParts(res.id).messageId ? res.id : `${channelId};messageid=${activityId}`;
      await this.directory.rememberConversation(conversationId, { ...ref, conversation: { ...ref.conversation, id: conversationId } }, {
        tenantId: ref.conversation?.tenantId ?? null,
        teamId: null,
      });
      return { conversationId, activityId };
    });
  }

  /** A 1:1 chat with a person (`29:` id), opened if needed; returns its conversation id. */
  async openChat(teamsUserId: string, nearConversation: string): Promise<string> {
    return this.withClient(nearConversation, async (client, ref) => {
      const tenantId = ref.conversation?.tenantId;
      const res = await client.conversations.createConversation({
        isGroup: false,
        bot: ref.bot as ChannelAccount,
        members: [{ id: teamsUserId } as ChannelAccount],
        tenantId,
        channelData: { tenant: { id: tenantId } },
      } as ConversationParameters);
      await this.directory.rememberConversation(res.id, { ...ref, conversation: { id: res.id, isGroup: false, conversationType: 'personal', tenantId } }, {
        tenantId: tenantId ?? null,
        teamId: null,
      });
      return res.id;
    });
  }

  /** One member of the conversation's team or chat, by 29: id or Entra id; null when not a member. */
  async member(conversationId: string, memberId: string): Promise<TeamsMember | null> {
    return this.withClient(conversationId, async (client) => {
      try {
        return (await client.conversations.getConversationMember(threadParts(conversationId).channel, memberId)) as TeamsMember;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return null;
        throw err;
      }
    });
  }

  /** Everyone in the conversation's team (or chat), every page. */
  async members(conversationId: string): Promise<TeamsMember[]> {
    return this.withClient(conversationId, async (client) => {
      const out: TeamsMember[] = [];
      let token: string | undefined;
      do {
        const page = await client.conversations.getConversationPagedMembers(threadParts(conversationId).channel, (token ? { pageSize: 500, continuationToken: token } : { pageSize: 500 }) as { pageSize: number; continuationToken: string });
        out.push(...((page.members ?? []) as TeamsMember[]));
        token = page.continuationToken || undefined;
      } while (token);
      return out;
    });
  }

  private async withClient<T>(conversationId: string, fn: (client: ConnectorClient, ref: Partial<ConversationReference>) => Promise<T>): Promise<T> {
    const ref = await this.referenceFor(conversationId);
    let out!: T;
    await this.adapter.continueConversationAsync(this.adapter.appId, ref as ConversationReference, async (ctx: TurnContext) => {
      const client = ctx.turnState.get<ConnectorClient>(ctx.adapter.ConnectorClientKey);
      out = await fn(client, ref);
    });
    return out;
  }

  private async referenceFor(conversationId: string): Promise<Partial<ConversationReference>> {
    const own = await this.directory.conversation(conversationId);
    if (own) return own.reference as Partial<ConversationReference>;
    const near = await this.directory.nearestReference(threadParts(conversationId).channel);
    if (!near) {
      throw new PermanentError(
        'Teams has not talked to the bot yet, so it knows no service URL: add the app to the team and send "@Incident help" once in a channel',
      );
    }
    const base = near.reference as Partial<ConversationReference> & StoredReference;
    return { ...base, conversation: { id: conversationId, isGroup: true, conversationType: 'channel', tenantId: base.conversation?.tenantId } as never, activityId: undefined };
  }
}
