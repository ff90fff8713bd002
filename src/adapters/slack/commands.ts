import type { App } from '@slack/bolt';
import { declareIncident, unknownRunbook } from '../../core/incident/declare-incident';
import { UserError } from '../../core/errors';
import { parseCommand, type SlashCommand } from './command-parser';
import { commandActor, type SlackContext } from './context';
import { helpText } from './help';
import { listText, runInIncident } from './incident-commands';
import { ephemeral, runAndReply } from './reply';

export function registerCommands(app: App, ctx: SlackContext): void {
  app.command('/incident', async ({ command, ack, respond }) => {
    const log = { platform: 'slack', actor: command.user_id, channel: command.channel_id };
    let cmd: SlashCommand;
    try {
      cmd = parseCommand(command.text);
    } catch (err) {
      if (err instanceof UserError) return ack(ephemeral(err.message));
      throw err;
    }
    // Answers known from memory go back in the ack itself; anything that touches the
    // database acks first and replies through response_url, well inside Slack's 3 seconds.
    if (cmd.kind === 'help') return ack(ephemeral(helpText(ctx.deps.catalog)));
    if (cmd.kind === 'declare') {
      const pb = ctx.deps.catalog.find(cmd.runbook);
      if (!pb) return ack(ephemeral(unknownRunbook(ctx.deps, cmd.runbook).message));
      await ack(ephemeral(`Declaring an incident with runbook \`${pb.id}\` (${pb.title})… I will post its channel here in a moment.`));
      const { runbook, summary } = cmd;
      return runAndReply(respond, ctx.logger, log, async () => {
        await declareIncident(ctx.deps, {
          runbook,
          summary,
          actor: { id: command.user_id },
          platform: 'slack',
          workspace: command.team_id,
          replyTo: { responseUrl: command.response_url },
        });
        return null; // the provisioning job replies with the channel link
      });
    }
    await ack();
    return runAndReply(respond, ctx.logger, log, async () => {
      if (cmd.kind === 'list') return listText(await ctx.deps.store.listOpen('slack', command.team_id));
      return runInIncident(ctx, cmd, command.channel_id, await commandActor(ctx, command.user_id));
    });
  });
}
