import type { Dispatcher, PinnedMessage, PinSkipped, Request, Result } from '../../core/commands/dispatch';
import type { Text } from '../../core/text/text';
import { threadParts } from './ids';
import { messageBodyText } from './message-html';
import { isHttpUrl } from './teams-text';

/** The invoke Teams sends when someone picks a message action ("⋯ → More actions"). */
export const SUBMIT_ACTION_INVOKE = 'composeExtension/submitAction';

/** The message action "Add to incident timeline": its command id in teams/manifest.json. */
export const ADD_TO_TIMELINE_COMMAND = 'addToIncidentTimeline';

/** The manifest's one parameter, a switch that is on unless the person turns it off. */
const CONFIRM_PARAMETER = 'add';

/** Teams shows an error after 5 s; the answer goes before then, whatever the database does. */
export const MESSAGE_ACTION_BUDGET_MS = 4_000;

/** `value.messagePayload` as Teams sends it (Microsoft Graph's chatMessage shape); only what is used. */
interface MessagePayload {
  id?: string;
  replyToId?: string | null;
  linkToMessage?: string;
  body?: { contentType?: string; content?: string };
  from?: { user?: { id?: string; displayName?: string } | null; application?: { displayName?: string } | null } | null;
}

export interface MessageAction {
  commandId: string;
  /** Null when Teams sent no message: the command was run from somewhere other than a message. */
  message: MessagePayload | null;
  /** The person turned the manifest's switch off before submitting. */
  declined: boolean;
}

export function readMessageAction(value: unknown): MessageAction {
  const v = (value ?? {}) as { commandId?: unknown; messagePayload?: unknown; data?: Record<string, unknown> };
  const message = v.messagePayload && typeof v.messagePayload === 'object' ? (v.messagePayload as MessagePayload) : null;
  const confirm = v.data?.[CONFIRM_PARAMETER];
  return {
    commandId: typeof v.commandId === 'string' ? v.commandId : '',
    message: message && typeof message.id === 'string' && message.id !== '' ? message : null,
    declined: confirm === false || confirm === 'false',
  };
}

/**
 * The incident thread the message is in. Teams names a channel thread `<channel>;messageid=<root>`
 * in the invoke's conversation; should it send the bare channel, the root is the message's
 * `replyToId`, or the message itself when it is the thread's first post.
 */
export function threadOf(conversationId: string, channel: string | null, message: MessagePayload): string {
  if (threadParts(conversationId).messageId || !channel) return conversationId;
  return `${channel};messageid=${message.replyToId || message.id}`;
}

/** The message as the timeline keeps it: its text as a reader saw it, who wrote it, and a link back. */
export function pinnedMessage(message: MessagePayload): PinnedMessage {
  const from = message.from;
  const link = typeof message.linkToMessage === 'string' && isHttpUrl(message.linkToMessage) ? message.linkToMessage : null;
  return {
    text: messageBodyText(message.body),
    // Teams gives the name as it showed it; the bot may never have heard from the author.
    author: from?.user?.displayName || from?.user?.id || from?.application?.displayName || null,
    link,
  };
}

/**
 * Adds the message to its thread's incident, or says why not: every outcome is answered, since
 * the person waits on the dialog. Past the budget the answer says it is not confirmed; the work
 * goes on, and a second try cannot add the message twice.
 */
export async function addToTimeline(
  dispatcher: Dispatcher,
  req: Request & { room: string },
  action: MessageAction,
  errorText: (err: unknown) => Text,
): Promise<Text> {
  if (action.commandId !== ADD_TO_TIMELINE_COMMAND) return UNKNOWN_COMMAND;
  const message = action.message;
  if (!message) return NO_MESSAGE;
  if (action.declined) return DECLINED;
  const work = dispatcher.pinMessageOutcome(req, message.id!, async () => pinnedMessage(message)).then(outcomeText, errorText);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Text>((resolve) => (timer = setTimeout(() => resolve(SAVING_SLOWLY), MESSAGE_ACTION_BUDGET_MS)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function outcomeText(r: Result | PinSkipped): Text {
  if (!('skipped' in r)) return r.reply ?? ['Added to the timeline.'];
  switch (r.skipped) {
    case 'not_incident':
      return NOT_INCIDENT;
    case 'already_there':
      return [`That message is already on ${r.incident}'s timeline. Nothing was added.`];
    case 'no_text':
      return [`Nothing was added to ${r.incident}'s timeline: the message has no text (a card, an image or a file alone).`];
  }
}

/** The invoke response Teams shows as a small dialog with the text (a task module "message"). */
export function actionAnswer(text: string): { task: { type: 'message'; value: string } } {
  return { task: { type: 'message', value: text } };
}

const NOT_INCIDENT: Text = [
  "Nothing was added: this message is not in an incident's thread. Use Add to incident timeline on a message in the thread the bot opened for the incident.",
];
const NO_MESSAGE: Text = ['Nothing was added: Add to incident timeline works on a message (⋯ → More actions on the message).'];
const DECLINED: Text = ['Nothing was added: "Add this message" was switched off.'];
const UNKNOWN_COMMAND: Text = ['Nothing was added: this app package is older or newer than the bot. Ask whoever runs the bot to upload the current one.'];
const SAVING_SLOWLY: Text = [
  'Not confirmed yet: the database is slow to answer. Look at the timeline in a minute; trying again adds the message at most once.',
];
