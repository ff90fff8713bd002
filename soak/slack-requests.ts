/**
 * The bodies Slack sends for `/incident …` and a button click, built as test/support/harness.ts
 * builds them, and a signed POST with a timeout. A retry re-signs the same body, so it carries the
 * same trigger_id / action_ts: the bot sees a replay of the same request, not a new one.
 */
import { slackSignature } from '../test/support/signing';

export const SIGNING_SECRET = 'test-signing-secret-soak-0123456789';
// The fake Slack only accepts tokens that say "test".
export const BOT_TOKEN = 'xoxb-test-soak-incident-bot';
export const TEAM = 'T0SOAK';
const FORM = 'application/x-www-form-urlencoded';

export function commandBody(opts: { user: string; text: string; triggerId: string; responseUrl: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: TEAM,
    team_domain: 'braiflow',
    channel_id: 'CGENERAL',
    channel_name: 'general',
    user_id: opts.user,
    user_name: opts.user.toLowerCase(),
    command: '/incident',
    text: opts.text,
    api_app_id: 'A0SOAK',
    is_enterprise_install: 'false',
    response_url: opts.responseUrl,
    trigger_id: opts.triggerId,
  }).toString();
}

export function clickBody(opts: {
  user: string;
  channel: string;
  messageTs: string;
  actionId: string;
  value: string;
  actionTs: string;
  triggerId: string;
  responseUrl: string;
}): string {
  const payload = {
    type: 'block_actions',
    team: { id: TEAM, domain: 'braiflow' },
    user: { id: opts.user, username: opts.user.toLowerCase(), name: opts.user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0SOAK',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: opts.messageTs, channel_id: opts.channel, is_ephemeral: false },
    trigger_id: opts.triggerId,
    channel: { id: opts.channel, name: 'incident' },
    message: { type: 'message', ts: opts.messageTs, text: '', blocks: [] },
    response_url: opts.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: opts.actionId,
        block_id: 'b',
        text: { type: 'plain_text', text: 'x' },
        value: opts.value,
        action_ts: opts.actionTs,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface PostResult {
  status: number;
  body: string;
  ms: number;
}

/** Signs at send time (Bolt refuses stale timestamps) and gives up after `timeoutMs`. */
export async function postSigned(url: string, body: string, timeoutMs: number): Promise<PostResult> {
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': FORM,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body),
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - started };
}

/** A short name for why a request got no answer: ECONNREFUSED, ECONNRESET, timeout, … */
export function failureCode(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return 'timeout';
  return e.cause?.code ?? e.code ?? e.name ?? 'error';
}
