import { RetryLaterError } from '../../core/errors';
import type { ActionView } from '../../core/text/actions';
import type { Text } from '../../core/text/text';
import type { ChatPostStore } from '../../store/chat-posts';
import { messageText, noticeCard } from './cards';
import { TEAMS_COMMAND } from './teams-text';
import type { OutgoingActivity, TeamsConnector } from './connector';
import { cardActivity } from './message-sync';
import type { TeamsPeople } from './people';
import { usersIn } from './people';
import { plainText } from '../../core/text/text';

/**
 * Says things in Teams conversations: text with real mentions, or a card when there are buttons.
 * A keyed message is claimed in Postgres first, since Teams history cannot be searched for it.
 */
export class TeamsRoomPost {
  constructor(
    private readonly connector: TeamsConnector,
    private readonly posts: ChatPostStore,
    private readonly people: TeamsPeople,
  ) {}

  /**
   * `mention`: people named in the text are mentioned, which notifies them; an answer to one
   * person (a refusal naming the commander) names them without a mention.
   */
  async activity(text: Text, actions: ActionView[] = [], mention = true): Promise<OutgoingActivity> {
    const { names, people } = await this.people.of(usersIn(text));
    if (actions.length > 0) return cardActivity(noticeCard(text, actions, names), plainText(text).slice(0, 200));
    const shown = mention ? text : text.map((s) => (typeof s === 'object' && 'user' in s ? (names(s.user) ?? s.user) : s));
    const m = messageText(shown, people);
    return { type: 'message', textFormat: 'xml', text: m.text, entities: m.entities };
  }

  /** As plain characters, for what Teams shows as plain text (an invoke's message): names, and commands as typed in Teams. */
  async plain(text: Text): Promise<string> {
    const { names } = await this.people.of(usersIn(text));
    return plainText(
      text.map((s) => {
        if (typeof s !== 'object') return s;
        if ('user' in s) return names(s.user) ?? s.user;
        if ('command' in s) return `${TEAMS_COMMAND} ${s.command}`;
        return s;
      }),
    );
  }

  /** Sends `text` to a conversation; with a key, once per incident and key whatever the retries. */
  async say(conversationId: string, text: Text, opts: { incidentId?: string; key?: string; actions?: ActionView[]; mention?: boolean } = {}): Promise<void> {
    const activity = await this.activity(text, opts.actions, opts.mention);
    if (!opts.key || !opts.incidentId) {
      await this.connector.send(conversationId, activity);
      return;
    }
    const claim = await this.posts.claim(opts.incidentId, opts.key);
    if (claim === 'sent') return;
    if (claim === 'held') throw new RetryLaterError(5_000, `another sender holds "${opts.key}"`);
    let id: string;
    try {
      id = await this.connector.send(conversationId, activity);
    } catch (err) {
      await this.posts.release(opts.incidentId, opts.key).catch(() => undefined);
      throw err;
    }
    await this.posts.sent(opts.incidentId, opts.key, id);
  }
}
