import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { Dispatcher } from '../../core/commands/dispatch';
import { UserError } from '../../core/errors';
import type { StepDetailView } from '../../core/render/views';
import type { Logger } from '../../util/logger';
import { DETAILS_ACTION_PREFIX, probeLine } from './blocks';
import { escape, mention, slackTime, truncate } from './format';
import { errorText, ephemeral } from './reply';
import { richTextBlock } from './rich-text';

// Slack's limits for a modal (views reference).
const MODAL_TITLE_MAX = 24;

/** A step's full detail in a modal: read-only, the checklist keeps the buttons. */
export function stepDetailModal(v: StepDetailView): Record<string, unknown> {
  const status = v.done ? `:white_check_mark: Done by ${mention(v.done.by)} ${slackTime(v.done.at)}` : ':white_large_square: Not done yet';
  const blocks: Array<Record<string, unknown>> = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${v.number}. ${escape(v.title)}*\n${status}`, 3000) } },
  ];
  if (v.detail.length > 0) blocks.push(richTextBlock(v.detail, 'step-detail'));
  if (v.probe) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(probeLine(v.probe), 3000) }] });
  return {
    type: 'modal',
    title: { type: 'plain_text', text: truncate(`Step ${v.number} of ${v.total}`, MODAL_TITLE_MAX) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'context', elements: [{ type: 'plain_text', text: v.heading }] }, ...blocks],
  };
}

/**
 * Details buttons open the step in a modal. Slack's trigger_id expires 3 s after the click, so
 * the read happens after the ack and the modal opens at once; a refusal goes back privately.
 */
export function registerStepDetails(app: App, dispatcher: Dispatcher, logger: Logger): void {
  const prefix = new RegExp(`^${DETAILS_ACTION_PREFIX.replace('.', '\\.')}`);
  app.action<BlockButtonAction>(prefix, async ({ ack, body, action, client, respond }) => {
    await ack();
    const log = { platform: 'slack', actor: body.user.id, action: action.action_id };
    try {
      const incidentId = z.uuid().safeParse(action.value);
      if (!incidentId.success) throw new UserError({ code: 'stale_button' });
      const view = await dispatcher.stepDetails(incidentId.data, action.action_id.slice(DETAILS_ACTION_PREFIX.length));
      await client.views.open({ trigger_id: body.trigger_id, view: stepDetailModal(view) as never });
    } catch (err) {
      await respond({ ...ephemeral(errorText(err, logger, log)), replace_original: false }).catch((e: Error) => logger.warn({ ...log, err: e }, 'could not reply through response_url'));
    }
  });
}
