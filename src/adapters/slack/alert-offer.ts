import type { App, BlockButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { UserError } from '../../core/errors';
import { decodeAlertChoice, encodeAlertChoice } from '../../core/text/alert-offer';
import type { Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import { mrkdwn } from './format';
import { answerBeforeAck, ephemeral } from './reply';

/** The action id of an unrouted alert's "Declare as <runbook>" buttons. */
export const ALERT_DECLARE_ACTION = 'alert.declare';
const OFFER_EVENT = 'braiflow_unrouted_alert';
// Slack allows 25 elements in an actions block.
const MAX_BUTTONS = 25;

export type AlertDeclareClick = {
  source: 'alertmanager' | 'generic';
  fingerprint: string;
  runbook: string;
  userId: string;
  /** The clicker's Slack team: the incident's own buttons are refused from any other. */
  workspace: string | null;
  responseUrl: string | null;
};

/**
 * Posts an unrouted alert's offer with one button per runbook, unless a message with its key is
 * already in the channel (a retry after a crash mid-post).
 */
export async function postAlertOffer(
  client: WebClient,
  channel: string,
  key: string,
  text: Text,
  alert: { source: 'alertmanager' | 'generic'; fingerprint: string },
  runbooks: string[],
): Promise<void> {
  const history = await client.conversations.history({ channel, include_all_metadata: true, limit: 200 });
  const found = (history.messages ?? []).some((m) => {
    const meta = m.metadata as { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
    return meta?.event_type === OFFER_EVENT && meta.event_payload?.key === key;
  });
  if (found) return;
  const body = mrkdwn(text);
  await client.chat.postMessage({
    channel,
    text: body,
    unfurl_links: false,
    metadata: { event_type: OFFER_EVENT, event_payload: { key } },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: body.slice(0, 3000) } },
      {
        type: 'actions',
        elements: runbooks.slice(0, MAX_BUTTONS).map((r, n) => ({
          type: 'button',
          action_id: `${ALERT_DECLARE_ACTION}.${n}`,
          text: { type: 'plain_text', text: `Declare as ${r}`.slice(0, 75) },
          value: encodeAlertChoice({ source: alert.source, fingerprint: alert.fingerprint, runbook: r }),
        })),
      },
    ] as never,
  });
}

/** "Declare as <runbook>": written before Slack is acked, like every click; the answer is ephemeral. */
export function registerAlertOffers(app: App, declare: (click: AlertDeclareClick) => Promise<Text>, logger: Logger): void {
  app.action<BlockButtonAction>(new RegExp(`^${ALERT_DECLARE_ACTION.replace('.', '\\.')}\\.`), async ({ ack, body, action, respond }) => {
    const log = { platform: 'slack', actor: body.user.id, action: action.action_id };
    const record = async (): Promise<Text | null> => {
      const choice = decodeAlertChoice(action.value);
      if (!choice) throw new UserError({ code: 'stale_button' });
      return declare({ ...choice, userId: body.user.id, workspace: body.team?.id ?? null, responseUrl: body.response_url ?? null });
    };
    const ackThenSay = async (text?: Text) => {
      await ack();
      if (text) await respond({ ...ephemeral(text), replace_original: false }).catch((err: Error) => logger.warn({ ...log, err }, 'could not reply'));
    };
    await answerBeforeAck(ackThenSay, respond, logger, log, record);
  });
}
