import { loadConfig } from '../../src/app/config';
import type { Clock } from '../../src/core/ports';
import { createLogger } from '../../src/util/logger';
import { startRuntime, type Role, type Runtime } from '../../src/app/runtime';
import { freshSchema, type TestSchema } from './db';
import type { TcpProxy } from './tcp-proxy';
import { FakeConnector } from './fake-connector';
import { botEnv } from './bot-env';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from './redis';
import { channelMessage, GENERAL_CHANNEL, INCIDENTS_CHANNEL, invokeAction, PEOPLE, postActivity, TEAM, type Person } from './teams-activities';

export interface TeamsHarness {
  connector: FakeConnector;
  runtime: Runtime;
  schema: TestSchema;
  prefix: string;
  /** The bot's POST /api/messages. */
  url: string;
  /** `@Incident <text>` typed by `from` in a channel (a new post unless `conversationId` names a thread). */
  say(
    text: string,
    from: Person,
    opts?: { conversationId?: string; channel?: { id: string }; mentions?: Person[]; id?: string },
  ): Promise<{ status: number; body: any }>;
  /** A click on an Action.Execute button of the card in message `messageId`; answers the invoke response. */
  click(
    from: Person,
    conversationId: string,
    messageId: string,
    action: { verb: string; data: Record<string, unknown> },
    id?: string,
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/**
 * A bot serving Teams only (local no-auth mode) against a fake Bot Connector on loopback, with its
 * own schema and Redis prefix. The team has General and incidents channels and alice, bob, carol.
 */
export async function startTeamsHarness(
  opts: {
    env?: Record<string, string>;
    role?: Role;
    clock?: Clock;
    runbooksDir?: string;
    share?: TeamsHarness;
    connector?: FakeConnector;
    /** The bot reaches Postgres through this proxy, to make it stall. */
    postgresProxy?: TcpProxy;
  } = {},
): Promise<TeamsHarness> {
  const connector = opts.share?.connector ?? opts.connector ?? (await new FakeConnector().start());
  if (!opts.share) {
    connector.setTeam(TEAM.id, {
      name: TEAM.name,
      aadGroupId: TEAM.aadGroupId,
      channels: [GENERAL_CHANNEL, INCIDENTS_CHANNEL],
      members: PEOPLE.map((p) => ({ ...p })),
    });
  }
  const schema = opts.share?.schema ?? (await freshSchema());
  const prefix = opts.share?.prefix ?? uniquePrefix();
  const config = loadConfig({
    ...botEnv({ databaseUrl: opts.postgresProxy ? opts.postgresProxy.wrap(schema.url) : schema.url, prefix, runbooksDir: opts.runbooksDir }),
    PORT: '0',
    TEAMS: 'on',
    TEAMS_INCIDENT_CHANNEL_ID: INCIDENTS_CHANNEL.id,
    ...opts.env,
  });
  const runtime = await startRuntime({ config, role: opts.role, clock: opts.clock, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
  const url = `http://127.0.0.1:${runtime.port}/api/messages`;
  const serviceUrl = connector.serviceUrl;
  return {
    connector,
    runtime,
    schema,
    prefix,
    url,
    say: (text, from, o = {}) =>
      postActivity(url, channelMessage({ serviceUrl, text, from, conversationId: o.conversationId, channel: o.channel, mentions: o.mentions, id: o.id })),
    click: (from, conversationId, messageId, action, id) =>
      postActivity(url, invokeAction({ serviceUrl, from, conversationId, replyToId: messageId, verb: action.verb, data: action.data, id })),
    async stop() {
      await runtime.stop();
      if (opts.share) return;
      await connector.stop();
      await schema.drop();
      await dropPrefix(prefix, TEST_REDIS_URL).catch(() => undefined);
    },
  };
}
