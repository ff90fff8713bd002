import type { App } from '@slack/bolt';
import type { Dispatcher } from '../../core/commands/dispatch';
import { parseCommand, type Command } from '../../core/commands/parse';
import { UserError } from '../../core/errors';
import type { ChatPlatform } from '../../core/ports';
import { problemText } from '../../core/render/replies';
import type { Logger } from '../../util/logger';
import { answerBeforeAck, ephemeral } from './reply';
import { slackUserZone } from './user-zone';

// With "Escape channels, users, and links" on (the manifest sets it), a mention arrives as <@U123|name>.
const MENTION = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/;

export function readSlackMention(word: string): string | null {
  return MENTION.exec(word)?.[1] ?? null;
}

/** How long a declare may take before the ack must go; Slack gives up on an ack after 3 s. */
export const DECLARE_BUDGET_MS = 2_000;

/**
 * `/incident …`: parse, answer from memory in the ack when possible. A declare is recorded before
 * the ack, which says whether it was, and made right after it; anything else acks at once and
 * replies after.
 */
export function registerCommands(app: App, dispatcher: Dispatcher, platform: ChatPlatform, logger: Logger): void {
  app.command('/incident', async ({ command, ack, respond, client }) => {
    const log = { platform: 'slack', actor: command.user_id, channel: command.channel_id };
    let cmd: Command;
    let atOnce;
    try {
      cmd = parseCommand(command.text, readSlackMention);
      atOnce = dispatcher.answerAtOnce(cmd);
    } catch (err) {
      if (err instanceof UserError) return ack(ephemeral(problemText(err.problem)));
      throw err;
    }
    if (atOnce) return ack(ephemeral(atOnce));
    const req = {
      userId: command.user_id,
      platform,
      workspace: command.team_id,
      room: command.channel_id,
      replyTo: { responseUrl: command.response_url },
      // A replayed request carries the same trigger_id: it finds the incident it made.
      requestId: command.trigger_id ? `${command.team_id}:${command.trigger_id}` : undefined,
      readerTz: () => slackUserZone(client, command.team_id, command.user_id),
    };
    if (cmd.kind === 'declare') {
      // Only the request is recorded before the ack; the incident is declared right after it.
      const r = await dispatcher.acceptNow(cmd, req, DECLARE_BUDGET_MS);
      return ack(ephemeral(r.reply!));
    }
    // Recorded before the ack, so an acknowledged command is never lost to a crash.
    const writes = cmd.kind !== 'list' && cmd.kind !== 'status' && cmd.kind !== 'mttr';
    return answerBeforeAck((text) => (text ? ack(ephemeral(text)) : ack()), respond, logger, log, async () => (await dispatcher.command(cmd, req)).reply, writes);
  });
}
