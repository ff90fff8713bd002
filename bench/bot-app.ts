import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/app/config';
import { startRuntime } from '../src/app/runtime';
import { BOT_TOKEN, SIGNING_SECRET } from './protocol';

/**
 * The real bot in HTTP mode, built the way test/support/harness.ts builds it but pointed at a
 * fake Slack in another process. Only loadConfig and startRuntime are used: the rest of src/
 * is being reshaped, and these two are the stable way in.
 */
export async function startBot(opts: { databaseUrl: string; redisUrl: string; queuePrefix: string; slackApiUrl: string; alertsToken?: string }) {
  // Built from scratch, not from process.env, so a stray SLACK_APP_TOKEN cannot switch modes.
  const config = loadConfig({
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: opts.queuePrefix,
    PORT: '0',
    LOG_LEVEL: 'silent',
    PLAYBOOKS_DIR: path.resolve(__dirname, '../playbooks'),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: opts.slackApiUrl,
    // Set only where a section posts alerts: unset, POST /alerts/alertmanager answers 404 as shipped.
    ...(opts.alertsToken ? { ALERTS_TOKEN: opts.alertsToken } : {}),
  });
  const runtime = await startRuntime({ config, role: 'all', logger: pino({ level: 'silent' }) });
  const baseUrl = `http://127.0.0.1:${runtime.port}`;
  return { baseUrl, eventsUrl: `${baseUrl}/slack/events`, stop: () => runtime.stop() };
}
