import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { acknowledge } from '../../core/incident/acknowledge';
import { label } from '../../core/incident/model';
import { resolve } from '../../core/incident/resolve';
import { setStep } from '../../core/incident/set-step';
import { UserError } from '../../core/errors';
import { clickActor, type SlackContext } from './context';
import { runAndReply } from './reply';

const stepValue = z.object({ i: z.uuid(), s: z.string().min(1), to: z.enum(['done', 'open']) });

/**
 * Button clicks. Each acks at once; the change is written in one transaction and the messages
 * are re-rendered from stored state by the render job, so the handler never edits blocks itself.
 */
export function registerActions(app: App, ctx: SlackContext): void {
  app.action<BlockButtonAction>(/^step\./, async ({ ack, body, action, respond }) => {
    await ack();
    const log = { platform: 'slack', actor: body.user.id, action: action.action_id };
    await runAndReply(respond, ctx.logger, log, async () => {
      const parsed = stepValue.safeParse(safeJson(action.value));
      if (!parsed.success) throw new UserError('invalid_input', 'This button is from an old message. Run `/incident status` for the current checklist.');
      await setStep(ctx.deps, {
        incidentId: parsed.data.i,
        stepId: parsed.data.s,
        to: parsed.data.to,
        actor: await clickActor(ctx, body.user.id, body.channel?.id),
        requestId: action.action_ts,
      });
      return null; // the re-rendered checklist is the answer
    });
  });

  app.action<BlockButtonAction>('incident.ack', async ({ ack, body, action, respond }) => {
    await ack();
    await runAndReply(respond, ctx.logger, { platform: 'slack', actor: body.user.id, action: 'incident.ack' }, async () => {
      const r = await acknowledge(ctx.deps, incidentIdOf(action), await clickActor(ctx, body.user.id, body.channel?.id));
      return r.changed ? null : `${label(r.snapshot.incident)} is already ${r.snapshot.incident.status}.`;
    });
  });

  app.action<BlockButtonAction>('incident.resolve', async ({ ack, body, action, respond }) => {
    await ack();
    await runAndReply(respond, ctx.logger, { platform: 'slack', actor: body.user.id, action: 'incident.resolve' }, async () => {
      const r = await resolve(ctx.deps, incidentIdOf(action), await clickActor(ctx, body.user.id, body.channel?.id));
      return r.changed ? null : `${label(r.snapshot.incident)} was already resolved.`;
    });
  });
}

function incidentIdOf(action: BlockButtonAction['actions'][number]): string {
  const id = z.uuid().safeParse(action.value);
  if (!id.success) throw new UserError('invalid_input', 'This button is from an old message. Run `/incident status` in the incident channel.');
  return id.data;
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return null;
  }
}
