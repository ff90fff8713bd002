import path from 'node:path';
import { REPO_ROOT } from './bot-process';
import { TEST_REDIS_URL } from './redis';

// Kept apart from bot-process.ts, which is preloaded into the bot itself: it loads nothing the bot does not need.

/**
 * What every bot a test starts needs: its Postgres schema, Redis and BullMQ prefix, the runbooks
 * (the shipped ones unless told) and a log level (silent unless told).
 */
export function botEnv(opts: { databaseUrl: string; prefix: string; runbooksDir?: string; logLevel?: string; redisUrl?: string }): Record<string, string> {
  return {
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl ?? TEST_REDIS_URL,
    QUEUE_PREFIX: opts.prefix,
    LOG_LEVEL: opts.logLevel ?? 'silent',
    PLAYBOOKS_DIR: opts.runbooksDir ?? path.join(REPO_ROOT, 'playbooks'),
  };
}

/** The settings of a bot that talks to a (fake) Slack at `apiUrl`. */
export function slackEnv(token: string, signingSecret: string, apiUrl: string): Record<string, string> {
  return { SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: apiUrl };
}
