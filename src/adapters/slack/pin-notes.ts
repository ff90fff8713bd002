import type { App, MessageShortcut } from '@slack/bolt';
type WebClient = App['client'];
import type { Dispatcher } from '../../core/commands/dispatch';
import { UserError } from '../../core/errors';
import type { ChatPlatform } from '../../core/ports';
import { problemText } from '../../core/render/replies';
import type { Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import { mrkdwn } from './format';
import { answerBeforeAck, ephemeral } from './reply';

/** The reaction that pins a message to its incident's timeline: 📌. */
export const PIN_REACTION = 'pushpin';

interface SlackMessage {
  ts?: string;
  text?: string;
  user?: string;
}

/**
 * A 📌 on a message in an incident's channel adds the message (its text, author and permalink) to
 * the timeline, once per message whoever pins it. Slack acks the event for us; elsewhere a 📌 is
 * left alone, and a refusal (someone outside the incident's room) is told to that person only.
 */
export function registerPinNotes(app: App, dispatcher: Dispatcher, platform: ChatPlatform, logger: Logger): void {
  app.event('reaction_added', async ({ event, body, client, context }) => {
    if (event.reaction !== PIN_REACTION || event.item.type !== 'message') return;
    const { channel, ts } = event.item;
    const workspace = body.team_id ?? context.teamId ?? null;
    const log = { platform: 'slack', actor: event.user, channel, ts };
    const req = { userId: event.user, platform, workspace, room: channel, requestId: `${workspace}:${body.event_id}` };
    try {
      const r = await dispatcher.pinMessage(req, ts, async () => {
        const message = await findMessage(client, channel, ts);
        if (!message) return null;
        const link = await client.chat.getPermalink({ channel, message_ts: ts });
        return { text: message.text ?? null, author: message.user ?? event.item_user ?? null, link: link.permalink ?? null };
      });
      if (r?.reply) await tell(client, channel, event.user, r.reply);
    } catch (err) {
      if (err instanceof UserError) return tell(client, channel, event.user, problemText(err.problem)).catch(() => undefined);
      logger.warn({ ...log, err }, 'could not add a pinned message to the timeline');
    }
  });
}

/** The message shortcut "Add to incident timeline" (both manifests name it). */
export const ADD_TO_TIMELINE = 'add_to_incident_timeline';

/**
 * The message shortcut does what a 📌 does, answering in the channel privately: recorded before
 * the ack where the budget allows, as commands and clicks are (answerBeforeAck).
 */
export function registerAddToTimeline(app: App, dispatcher: Dispatcher, platform: ChatPlatform, logger: Logger): void {
  app.shortcut<MessageShortcut>({ callback_id: ADD_TO_TIMELINE, type: 'message_action' }, async ({ shortcut, ack, respond, client }) => {
    const channel = shortcut.channel.id;
    const ts = shortcut.message.ts;
    const workspace = shortcut.team?.id ?? null;
    const log = { platform: 'slack', actor: shortcut.user.id, channel, ts };
    const req = { userId: shortcut.user.id, platform, workspace, room: channel, requestId: `${workspace}:${shortcut.trigger_id}` };
    const record = async (): Promise<Text> => {
      const r = await dispatcher.pinMessage(req, ts, async () => {
        const link = await client.chat.getPermalink({ channel, message_ts: ts });
        const m = shortcut.message as SlackMessage;
        return { text: m.text ?? null, author: m.user ?? null, link: link.permalink ?? null };
      });
      return r?.reply ?? ALREADY_OR_NOT_INCIDENT;
    };
    // A shortcut's ack carries no text: the answer goes through response_url.
    const ackThenSay = async (text?: Text) => {
      await ack();
      if (text) await respond({ ...ephemeral(text), replace_original: false }).catch((err: Error) => logger.warn({ ...log, err }, 'could not reply'));
    };
    await answerBeforeAck(ackThenSay, respond, logger, log, record);
  });
}

const ALREADY_OR_NOT_INCIDENT: Text = [
  'Nothing added: that message is already on the timeline, has no text, or this is not an incident channel.',
];

/** The message at `ts`: in the channel's history, or else a reply in a thread. */
async function findMessage(client: WebClient, channel: string, ts: string): Promise<SlackMessage | null> {
  const window = { channel, latest: ts, oldest: ts, inclusive: true, limit: 1 };
  const history = await client.conversations.history(window);
  const top = (history.messages as SlackMessage[] | undefined)?.find((m) => m.ts === ts);
  if (top) return top;
  const replies = await client.conversations.replies({ ...window, ts });
  return (replies.messages as SlackMessage[] | undefined)?.find((m) => m.ts === ts) ?? null;
}

async function tell(client: WebClient, channel: string, user: string, text: Text): Promise<void> {
  await client.chat.postEphemeral({ channel, user, text: mrkdwn(text) });
}
