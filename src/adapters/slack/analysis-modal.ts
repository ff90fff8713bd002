import type { App, BlockButtonAction, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { Dispatcher, Request } from '../../core/commands/dispatch';
import { UserError } from '../../core/errors';
import { ANALYSIS_FIELDS, type AnalysisField } from '../../core/model';
import type { ChatPlatform } from '../../core/ports';
import type { AnalysisFormView } from '../../core/render/analysis';
import { decodeAction } from '../../core/text/actions';
import { type Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import { escape, modalText, truncate } from './format';
import { ACK_BUDGET_MS, ephemeral, errorText } from './reply';

export const ANALYSIS_ACTION = 'incident.analysis';
export const ANALYSIS_CALLBACK = 'incident.analysis';

// Slack's limits: a modal title 24 characters, an input's label 2000, its initial value 3000.
const TITLE_MAX = 24;

/** Where the modal's answer goes: the incident, and the channel whose follow-up message opened it. */
const metadata = z.object({ i: z.uuid(), c: z.string().min(1).max(40) });

/** A refusal about one part shows on that part's input; any other on the first. */
const FIELD_OF_TEXT: Record<string, AnalysisField> = {
  impact: 'impactSummary',
  'root cause': 'rootCause',
  'contributing factors': 'contributingFactors',
  'what went well': 'wentWell',
  'what went badly': 'wentBadly',
  lessons: 'lessons',
};

/**
 * The follow-up message's Edit analysis: one input per part of the analysis, prefilled with what is
 * written. Labels and values are plain_text, so nothing a person wrote becomes markup.
 */
export function analysisModal(v: AnalysisFormView, channel: string): Record<string, unknown> {
  const blocks: Array<Record<string, unknown>> = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(escape(v.intro), 3000) } }];
  for (const f of v.fields) {
    blocks.push({
      type: 'input',
      block_id: f.field,
      optional: true,
      label: { type: 'plain_text', text: f.label },
      hint: { type: 'plain_text', text: f.hint },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: f.multiline,
        max_length: f.max,
        ...(f.value ? { initial_value: f.value } : {}),
      },
    });
  }
  return {
    type: 'modal',
    callback_id: ANALYSIS_CALLBACK,
    private_metadata: JSON.stringify({ i: v.incidentId, c: channel }),
    title: { type: 'plain_text', text: truncate(v.title, TITLE_MAX) },
    submit: { type: 'plain_text', text: v.submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

type StateValues = Record<string, Record<string, { value?: string | null }>>;

/** Every part the modal showed, an emptied one as null (which clears it). */
export function readAnalysisModal(values: StateValues): Partial<Record<AnalysisField, string | null>> {
  const out: Partial<Record<AnalysisField, string | null>> = {};
  for (const f of ANALYSIS_FIELDS) if (values[f]) out[f] = values[f].value?.value?.trim() || null;
  return out;
}

function blockOf(err: unknown): AnalysisField {
  if (!(err instanceof UserError)) return ANALYSIS_FIELDS[0];
  const p = err.problem;
  if (p.code === 'invalid_category') return 'causeCategory';
  if (p.code === 'too_long' || p.code === 'invisible_text') return FIELD_OF_TEXT[p.field] ?? ANALYSIS_FIELDS[0];
  return ANALYSIS_FIELDS[0];
}

/**
 * Edit analysis opens the modal (trigger_id lives 3 s: ack, read, open); submitting it writes
 * before Slack is acked, and a refusal shows on the part it is about, in the modal still open.
 */
export function registerAnalysisModal(app: App, dispatcher: Dispatcher, platform: ChatPlatform, logger: Logger): void {
  app.action<BlockButtonAction>(ANALYSIS_ACTION, async ({ ack, body, action, client, respond }) => {
    await ack();
    const log = { platform: 'slack', actor: body.user.id, action: action.action_id };
    const say = (text: Text) =>
      respond({ ...ephemeral(text), replace_original: false }).catch((e: Error) => logger.warn({ ...log, err: e }, 'could not reply through response_url'));
    try {
      const decoded = decodeAction(action.value);
      const channel = body.channel?.id;
      if (decoded?.a !== 'analysis' || !channel) throw new UserError({ code: 'stale_button' });
      const form = await dispatcher.analysisForm(decoded.i, request(platform, body.user.id, body.team?.id ?? null, channel, action.action_ts));
      await client.views.open({ trigger_id: body.trigger_id, view: analysisModal(form, channel) as never });
    } catch (err) {
      await say(errorText(err, logger, log));
    }
  });

  app.view<ViewSubmitAction>(ANALYSIS_CALLBACK, async ({ ack, body, view }) => {
    const log = { platform: 'slack', actor: body.user.id, action: ANALYSIS_CALLBACK };
    const meta = metadata.safeParse(safeJson(view.private_metadata));
    const work = (async (): Promise<{ block: AnalysisField; text: Text } | null> => {
      if (!meta.success) throw new UserError({ code: 'stale_button' });
      const form = readAnalysisModal(view.state.values as StateValues);
      await dispatcher.submitAnalysis(meta.data.i, form, request(platform, body.user.id, body.team?.id ?? null, meta.data.c, `view:${view.id}`));
      return null; // the modal closes; the follow-up message re-rendered is the answer
    })().catch((err: unknown) => ({ block: blockOf(err), text: errorText(err, logger, log) }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ACK_BUDGET_MS)));
    const first = await Promise.race([work, late]);
    clearTimeout(timer);
    if (first === null) return ack();
    if (first !== 'late') return ack({ response_action: 'errors', errors: { [first.block]: truncate(modalText(first.text), 2000) } });
    // Slack must be acked: the modal closes, and the outcome follows by direct message.
    await ack();
    const outcome = await work;
    await platform
      .notify({ user: body.user.id }, outcome?.text ?? ['Saved the analysis now (the database was slow).'])
      .catch((err: Error) => logger.warn({ ...log, err }, 'could not tell the outcome'));
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
