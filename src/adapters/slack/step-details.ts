import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { Dispatcher } from '../../core/commands/dispatch';
import { UserError } from '../../core/errors';
import type { StepDetailView } from '../../core/render/views';
import type { Logger } from '../../util/logger';
import { DETAILS_ACTION_PREFIX, edgeCaseBlocks, probeLine } from './blocks';
import { escape, mention, slackTime, truncate } from './format';
import { errorText, ephemeral } from './reply';
import { richTextBlock } from './rich-text';

// Slack's limits for a modal (views reference).
const MODAL_TITLE_MAX = 24;
const MODAL_BLOCKS_MAX = 100;

/**
 * Where a button in the modal acts: Slack sends a modal's clicks with no channel, so the modal
 * carries the incident's room and step in `private_metadata`, which only the bot sets.
 */
const modalPlace = z.object({ room: z.string().min(1), incident: z.uuid(), step: z.string().min(1) });

export type ModalPlace = z.infer<typeof modalPlace>;

export function modalPlaceOf(metadata: string | undefined): ModalPlace | null {
  try {
    const parsed = modalPlace.safeParse(JSON.parse(metadata ?? ''));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * A step's full detail in a modal, with its edge cases and the runbook's (which can happen at any
 * step), each with This happened. The checklist keeps Done and Run probe.
 */
export function stepDetailModal(v: StepDetailView): Record<string, unknown> {
  const status = v.done ? `:white_check_mark: Done by ${mention(v.done.by)} ${slackTime(v.done.at)}` : ':white_large_square: Not done yet';
  const blocks: Array<Record<string, unknown>> = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${v.number}. ${escape(v.title)}*\n${status}`, 3000) } },
  ];
  if (v.detail.length > 0) blocks.push(richTextBlock(v.detail, 'step-detail'));
  if (v.probe) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(probeLine(v.probe), 3000) }] });
  const edges = [...v.edgeCases.flatMap(edgeCaseBlocks)];
  if (v.runbookEdgeCases.length > 0) {
    edges.push({ type: 'section', text: { type: 'mrkdwn', text: '*Edge cases of the whole runbook*' } }, ...v.runbookEdgeCases.flatMap(edgeCaseBlocks));
  }
  // The detail first: edge cases give way, whole, if a very long list would pass Slack's limit.
  const room = MODAL_BLOCKS_MAX - 1 - blocks.length;
  blocks.push(...edges.slice(0, room));
  return {
    type: 'modal',
    title: { type: 'plain_text', text: truncate(`Step ${v.number} of ${v.total}`, MODAL_TITLE_MAX) },
    close: { type: 'plain_text', text: 'Close' },
    ...(v.room ? { private_metadata: JSON.stringify({ room: v.room, incident: v.incidentId, step: v.stepId } satisfies ModalPlace) } : {}),
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
