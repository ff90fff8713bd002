import type { App, BlockAction, BlockElementAction } from '@slack/bolt';
import { z } from 'zod';
import type { Dispatcher } from '../../core/commands/dispatch';
import { UserError } from '../../core/errors';
import type { ChatPlatform } from '../../core/ports';
import { decodeAction, type ActionPayload } from '../../core/text/actions';
import type { Logger } from '../../util/logger';
import type { Text } from '../../core/text/text';
import { answerBeforeAck, ephemeral } from './reply';
import { modalPlaceOf, stepDetailModal } from './step-details';

/**
 * Button clicks. Each is written in one transaction before Slack is acked, so a crash cannot lose
 * an acknowledged click; the messages are re-rendered from stored state by the render job, so the
 * handler never edits blocks itself. A refusal comes back as an ephemeral message.
 */
export function registerActions(app: App, dispatcher: Dispatcher, platform: ChatPlatform, logger: Logger): void {
  // Resolve and Edit analysis open a modal instead (resolve-modal.ts, analysis-modal.ts): they need the click's trigger_id, not a write.
  app.action<BlockAction>(/^(step|incident|probe|item|pm|edge)\.(?!(resolve|analysis)$)/, async ({ ack, body, action, respond, client }) => {
    const log = { platform: 'slack', actor: body.user.id, action: action.action_id };
    // A click on the App Home comes with no response_url: the answer goes to the app's DM instead.
    const answer = (text: Text) => (body.response_url ? respond({ ...ephemeral(text), replace_original: false }) : platform.notify({ user: body.user.id }, text));
    const reply = (text: Text) => answer(text).then(
      () => undefined,
      (err: Error) => logger.warn({ ...log, err }, 'could not reply through response_url'),
    );
    // A step's Details modal: its clicks come with no channel, and act in the room the modal names.
    const modal = body.view ? modalPlaceOf(body.view.private_metadata) : null;
    const record = async (): Promise<Text | null> => {
      const value = valueOf(action);
      const payload = decodeAction(value) ?? legacyPayload(action.action_id, value);
      if (!payload) throw new UserError({ code: 'stale_button' });
      const r = await dispatcher.click(payload, {
        userId: body.user.id,
        platform,
        workspace: body.team?.id ?? null,
        room: body.channel?.id ?? modal?.room ?? null,
        // Direct message ids start with D: a page's Acknowledge is clicked there.
        direct: body.channel?.id?.startsWith('D') === true,
        requestId: action.action_ts,
      });
      return r.reply;
    };
    // A click's ack carries no message: the answer, if any, goes through response_url.
    const ackThenSay = async (text?: Text) => {
      await ack();
      if (text) await reply(text);
    };
    await answerBeforeAck(ackThenSay, respond, logger, log, record);
    // The clicker's modal shows what they did; the checklist is re-rendered for everyone by the render job.
    if (modal && body.view) {
      await dispatcher
        .stepDetails(modal.incident, modal.step)
        .then((v) => client.views.update({ view_id: body.view!.id, view: stepDetailModal(v) as never }))
        .catch((err: Error) => logger.warn({ ...log, err }, 'could not update the step details modal'));
    }
  });
}

/** A button carries its payload in `value`; a menu (the header's Switch runbook) in the chosen option's. */
function valueOf(action: BlockElementAction): string | undefined {
  if (action.type === 'static_select') return action.selected_option?.value;
  return 'value' in action && typeof action.value === 'string' ? action.value : undefined;
}

const legacyStep = z.object({ i: z.uuid(), s: z.string().min(1), to: z.enum(['done', 'open']) });

/** Buttons posted before the shared encoder: a bare incident id, or {i, s, to} on a step. */
function legacyPayload(actionId: string, value: string | undefined): ActionPayload | null {
  if (actionId === 'incident.ack' || actionId === 'incident.resolve') {
    const id = z.uuid().safeParse(value);
    return id.success ? { a: actionId === 'incident.ack' ? 'ack' : 'resolve', i: id.data } : null;
  }
  try {
    const step = legacyStep.safeParse(JSON.parse(value ?? ''));
    return step.success ? { a: 'step', ...step.data } : null;
  } catch {
    return null;
  }
}
