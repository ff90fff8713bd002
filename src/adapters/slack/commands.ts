import type { App } from '@slack/bolt';
import type { Dispatcher } from '../../core/commands/dispatch';
import { parseCommand, type Command } from '../../core/commands/parse';
import { UserError } from '../../core/errors';
import type { ChatPlatform } from '../../core/ports';
import { problemText } from '../../core/render/replies';
import type { Logger } from '../../logger';
import { ephemeral, runAndReply } from './reply';

// With "Escape channels, users, and links" on (the manifest sets it), a mention arrives as <@U123|name>.
const MENTION = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/;

export function readSlackMention(word: string): string | null {
  return MENTION.exec(word)?.[1] ?? null;
}

/** `/incident …`: parse, answer from memory in the ack when possible, else ack and reply after. */
export function registerCommands(app: App, dispatcher: Dispatcher, platform: ChatPlatform, logger: Logger): void {
  app.command('/incident', async ({ command, ack, respond }) => {
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
    if (cmd.kind === 'help') return ack(ephemeral(atOnce!));
    await (atOnce ? ack(ephemeral(atOnce)) : ack());
    return runAndReply(respond, logger, log, async () => {
      const r = await dispatcher.command(cmd, {
        userId: command.user_id,
        platform,
        workspace: command.team_id,
        room: command.channel_id,
        replyTo: { responseUrl: command.response_url },
      });
      return r.reply;
    });
  });
}
