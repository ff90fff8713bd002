import { loadConfig } from '../../src/app/config';
import type { Clock } from '../../src/core/ports';
import { createLogger } from '../../src/util/logger';
import { startRuntime, type Role, type Runtime, type RuntimeOptions } from '../../src/app/runtime';
import { freshSchema, type TestSchema } from './db';
import { FakeSlack } from './fake-slack';
import { botEnv, slackEnv } from './bot-env';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from './redis';
import { postSigned } from './signing';
import type { TcpProxy } from './tcp-proxy';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-0000-incident-bot';
export const TEAM = 'T0TEST';

export interface Harness {
  slack: FakeSlack;
  runtime: Runtime;
  schema: TestSchema;
  prefix: string;
  eventsUrl: string;
  baseUrl: string;
  /** Posts `/incident <text>` as `user` from `channel`, signed like Slack signs it. */
  command(text: string, user: string, channel?: string): Promise<{ status: number; body: any; responseUrl: string }>;
  /** The form body Slack would send for `/incident <text>`, to send (and replay) with send(). */
  commandBody(text: string, user: string, channel?: string): { body: string; responseUrl: string };
  /** Signs and posts a form body to /slack/events, as Slack would (a replay signs it anew). */
  send(body: string): Promise<{ status: number; body: any }>;
  /** Clicks a button from a message the fake recorded. */
  click(user: string, channel: string, messageTs: string, actionId: string, value: string, actionTs?: string): Promise<number>;
  /** Picks an option of a static_select menu (the header's Switch runbook) from a message the fake recorded. */
  select(user: string, channel: string, messageTs: string, actionId: string, value: string, actionTs?: string): Promise<number>;
  /** Signs and posts an Events API event (`event_callback`) as Slack sends it, e.g. reaction_added; returns its event id. */
  event(event: Record<string, unknown>, eventId?: string): Promise<{ status: number; eventId: string }>;
  /** Submits a modal the fake recorded (views.open) with `values` as its state, as Slack sends view_submission. */
  submitView(user: string, view: any, values: Record<string, Record<string, unknown>>): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

let seq = 0;

export async function startHarness(
  opts: {
    admins?: string;
    runbooksDir?: string;
    clock?: Clock;
    redisUrl?: string;
    role?: Role;
    /** Reach Postgres through this proxy, to make it refuse or stall mid-test. */
    postgresProxy?: TcpProxy;
    /** Run as a second process of the same deployment: its fake Slack, schema and Redis prefix. */
    share?: Harness;
    sweeps?: RuntimeOptions['sweeps'];
    /** More settings, e.g. where the probes look (BRAIFLOW_API_URL …). */
    env?: Record<string, string>;
    /** Socket Mode: an app token, and the fake Slack to connect through (started by the caller). */
    socketMode?: { appToken: string; slack: FakeSlack };
  } = {},
): Promise<Harness> {
  const slack = opts.share?.slack ?? opts.socketMode?.slack ?? (await new FakeSlack().start());
  const schema = opts.share?.schema ?? (await freshSchema());
  const prefix = opts.share?.prefix ?? uniquePrefix();
  const config = loadConfig({
    ...botEnv({
      databaseUrl: opts.postgresProxy ? opts.postgresProxy.wrap(schema.url) : schema.url,
      prefix,
      redisUrl: opts.redisUrl,
      runbooksDir: opts.runbooksDir,
    }),
    PORT: '0',
    ...slackEnv(BOT_TOKEN, SIGNING_SECRET, slack.apiUrl),
    INCIDENT_ADMINS: opts.admins ?? '',
    SLACK_APP_TOKEN: opts.socketMode?.appToken,
    ...opts.env,
  });
  const runtime = await startRuntime({
    config,
    role: opts.role,
    clock: opts.clock,
    sweeps: opts.sweeps,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
  const baseUrl = `http://127.0.0.1:${runtime.port}`;
  const eventsUrl = `${baseUrl}/slack/events`;
  // A click as Slack sends it: one element (a button, a menu choice) of a message's blocks.
  async function blockAction(user: string, channel: string, messageTs: string, element: Record<string, unknown>, actionTs?: string): Promise<number> {
    const payload = {
      type: 'block_actions',
      team: { id: TEAM, domain: 'braiflow' },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM },
      api_app_id: 'A0TEST',
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: false },
      trigger_id: `trigger-${++seq}`,
      channel: { id: channel, name: 'incident' },
      message: { type: 'message', ts: messageTs, text: '', blocks: [] },
      response_url: slack.responseUrl(`click-${seq}`),
      actions: [{ ...element, action_ts: actionTs ?? `${Date.now() / 1000}${seq}` }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return (await postSigned(eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded')).status;
  }
  const h: Harness = {
    slack,
    runtime,
    schema,
    prefix,
    eventsUrl,
    baseUrl,
    async command(text, user, channel = 'CGENERAL') {
      const { body, responseUrl } = h.commandBody(text, user, channel);
      return { ...(await h.send(body)), responseUrl };
    },
    async send(body) {
      const res = await postSigned(eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded');
      return { status: res.status, body: res.body ? safeJson(res.body) : null };
    },
    commandBody(text, user, channel = 'CGENERAL') {
      const responseUrl = slack.responseUrl(`cmd-${++seq}`);
      const body = new URLSearchParams({
        token: 'legacy-verification-token',
        team_id: TEAM,
        team_domain: 'braiflow',
        channel_id: channel,
        channel_name: 'general',
        user_id: user,
        user_name: user.toLowerCase(),
        command: '/incident',
        text,
        api_app_id: 'A0TEST',
        is_enterprise_install: 'false',
        response_url: responseUrl,
        trigger_id: `trigger-${seq}`,
      }).toString();
      return { body, responseUrl };
    },
    click(user, channel, messageTs, actionId, value, actionTs) {
      const element = { type: 'button', action_id: actionId, block_id: 'b', text: { type: 'plain_text', text: 'x' }, value };
      return blockAction(user, channel, messageTs, element, actionTs);
    },
    select(user, channel, messageTs, actionId, value, actionTs) {
      const option = { text: { type: 'plain_text', text: 'x' }, value };
      const element = { type: 'static_select', action_id: actionId, block_id: 'b', selected_option: option, placeholder: { type: 'plain_text', text: 'x' } };
      return blockAction(user, channel, messageTs, element, actionTs);
    },
    async event(event, eventId) {
      const id = eventId ?? `Ev${String(++seq).padStart(8, '0')}`;
      const body = JSON.stringify({
        token: 'legacy-verification-token',
        team_id: TEAM,
        api_app_id: 'A0TEST',
        event: { event_ts: `${Date.now() / 1000}`, ...event },
        type: 'event_callback',
        event_id: id,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: TEAM, user_id: 'UBOT', is_bot: true }],
      });
      const res = await postSigned(eventsUrl, SIGNING_SECRET, body, 'application/json');
      return { status: res.status, eventId: id };
    },
    async submitView(user, view, values) {
      const payload = {
        type: 'view_submission',
        team: { id: TEAM, domain: 'braiflow' },
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM },
        api_app_id: 'A0TEST',
        token: 'legacy-verification-token',
        trigger_id: `trigger-${++seq}`,
        view: { id: `VSUBMIT${seq}`, team_id: TEAM, hash: `hash-${seq}`, ...view, state: { values } },
        response_urls: [],
      };
      return h.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    },
    async stop() {
      await runtime.stop();
      if (opts.share) return; // the harness it shares with cleans up
      await slack.stop();
      await schema.drop();
      // A Redis of the test's own may be gone by now; the shared one must be left clean.
      await dropPrefix(prefix, opts.redisUrl ?? TEST_REDIS_URL).catch(() => undefined);
    },
  };
  return h;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
