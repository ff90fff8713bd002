import type { App, BlockButtonAction, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { Dispatcher, Request } from '../../core/commands/dispatch';
import { UserError } from '../../core/errors';
import type { ChatPlatform } from '../../core/ports';
import { RESOLUTION_MAX, type ResolveFormView } from '../../core/render/validation';
import { decodeAction } from '../../core/text/actions';
import { sliceWhole, type Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import { escape, modalText, truncate } from './format';
import { ACK_BUDGET_MS, ephemeral, errorText } from './reply';

export const RESOLVE_ACTION = 'incident.resolve';
export const RESOLVE_CALLBACK = 'incident.resolve';

// Slack's limits: a modal title 24 characters, a checkbox option's text 75, ten options a group.
const TITLE_MAX = 24;
const OPTION_MAX = 75;
const OPTIONS_PER_GROUP = 10;
const RESOLUTION_BLOCK = 'resolution';

/** Where the modal's answer goes: the incident, and the channel whose Resolve button opened it. */
const metadata = z.object({ i: z.uuid(), c: z.string().min(1).max(40) });

/**
 * The Resolve button's modal: every quick validation check written out, a checkbox for each, and
 * the resolution. Check text is plain_text everywhere, so a runbook's words never become markup.
 */
export function resolveModal(v: ResolveFormView, channel: string): Record<string, unknown> {
  const blocks: Array<Record<string, unknown>> = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${escape(v.heading)}*\n${escape(v.intro)}`, 3000) } },
  ];
  for (let start = 0; start < v.checks.length; start += OPTIONS_PER_GROUP) {
    const group = v.checks.slice(start, start + OPTIONS_PER_GROUP);
    blocks.push({
      type: 'input',
      block_id: checksBlock(start / OPTIONS_PER_GROUP),
      optional: true,
      label: { type: 'plain_text', text: start === 0 ? 'Quick validation' : 'Quick validation, continued' },
      element: {
        type: 'checkboxes',
        action_id: 'checks',
        options: group.map((c) => checkOption(c.number, c.text)),
      },
    });
  }
  if (v.rerun) blocks.push({ type: 'context', elements: [{ type: 'plain_text', text: truncate(v.rerun, 2000) }] });
  blocks.push({
    type: 'input',
    block_id: RESOLUTION_BLOCK,
    optional: true,
    label: { type: 'plain_text', text: v.summaryLabel },
    hint: { type: 'plain_text', text: v.summaryHint },
    element: { type: 'plain_text_input', action_id: 'resolution', multiline: true, max_length: RESOLUTION_MAX },
  });
  return {
    type: 'modal',
    callback_id: RESOLVE_CALLBACK,
    private_metadata: JSON.stringify({ i: v.incidentId, c: channel }),
    title: { type: 'plain_text', text: truncate(v.title, TITLE_MAX) },
    submit: { type: 'plain_text', text: v.submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** A check's checkbox; a long check goes on in the option's description, so nobody ticks what they could not read. */
function checkOption(n: number, text: string): Record<string, unknown> {
  const full = `${n}. ${text}`;
  if (full.length <= OPTION_MAX) return { text: { type: 'plain_text', text: full }, value: String(n) };
  const head = sliceWhole(full, OPTION_MAX - 1);
  return {
    text: { type: 'plain_text', text: `${head}…` },
    description: { type: 'plain_text', text: truncate(`…${full.slice(head.length)}`, OPTION_MAX) },
    value: String(n),
  };
}

function checksBlock(n: number): string {
  return n === 0 ? 'checks' : `checks-${n}`;
}

type StateValues = Record<string, Record<string, { selected_options?: Array<{ value?: string }> | null; value?: string | null }>>;

/** The ticked check numbers and the resolution, from a view_submission's state. */
export function readResolveModal(values: StateValues): { confirmed: number[]; summary?: string } {
  const confirmed = Object.entries(values)
    .filter(([block]) => block === 'checks' || block.startsWith('checks-'))
    .flatMap(([, actions]) => actions.checks?.selected_options ?? [])
    .map((o) => Number(o.value))
    .filter((n) => Number.isInteger(n) && n > 0);
  const summary = values[RESOLUTION_BLOCK]?.resolution?.value ?? undefined;
  return { confirmed, ...(summary ? { summary } : {}) };
}

/**
 * The header's Resolve opens the modal (trigger_id lives 3 s: ack, read, open); submitting it
 * resolves before Slack is acked, and a refusal shows on the checks, in the modal still open.
 */
export function registerResolveModal(app: App, dispatcher: Dispatcher, platform: ChatPlatform, logger: Logger): void {
  app.action<BlockButtonAction>(RESOLVE_ACTION, async ({ ack, body, action, client, respond }) => {
    await ack();
    const log = { platform: 'slack', actor: body.user.id, action: action.action_id };
    const say = (text: Text) =>
      respond({ ...ephemeral(text), replace_original: false }).catch((e: Error) => logger.warn({ ...log, err: e }, 'could not reply through response_url'));
    try {
      const decoded = decodeAction(action.value);
      const incidentId = decoded?.a === 'resolve' ? decoded.i : z.uuid().safeParse(action.value).data; // a bare id: buttons before the encoder
      const channel = body.channel?.id;
      if (!incidentId || !channel) throw new UserError({ code: 'stale_button' });
      const form = await dispatcher.resolveForm(incidentId, request(platform, body.user.id, body.team?.id ?? null, channel, action.action_ts));
      if ('reply' in form) return void (form.reply && (await say(form.reply)));
      await client.views.open({ trigger_id: body.trigger_id, view: resolveModal(form, channel) as never });
    } catch (err) {
      await say(errorText(err, logger, log));
    }
  });

  app.view<ViewSubmitAction>(RESOLVE_CALLBACK, async ({ ack, body, view }) => {
    const log = { platform: 'slack', actor: body.user.id, action: RESOLVE_CALLBACK };
    const meta = metadata.safeParse(safeJson(view.private_metadata));
    const firstBlock = Object.keys(view.state.values).find((b) => b.startsWith('checks')) ?? RESOLUTION_BLOCK;
    const work = (async (): Promise<Text | null> => {
      if (!meta.success) throw new UserError({ code: 'stale_button' });
      const form = readResolveModal(view.state.values as StateValues);
      await dispatcher.submitResolve(meta.data.i, form, request(platform, body.user.id, body.team?.id ?? null, meta.data.c, `view:${view.id}`));
      return null; // the modal closes; the header re-rendered is the answer
    })().catch((err: unknown) => errorText(err, logger, log));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ACK_BUDGET_MS)));
    const first = await Promise.race([work, late]);
    clearTimeout(timer);
    if (first === null) return ack();
    if (first !== 'late') return ack({ response_action: 'errors', errors: { [firstBlock]: truncate(modalText(first), 2000) } });
    // Slack must be acked: the modal closes, and the outcome follows by direct message.
    await ack();
    const text = await work;
    await platform.notify({ user: body.user.id }, text ?? ['Resolved now (the database was slow).']).catch((err: Error) => logger.warn({ ...log, err }, 'could not tell the outcome'));
  });
}

function request(platform: ChatPlatform, userId: string, workspace: string | null, room: string, requestId: string): Request {
  return { userId, platform, workspace, room, requestId };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
