import type { Pool } from 'pg';
import { createSlackClient } from './adapters/slack/client';
import { SlackDigestPoster } from './adapters/slack/digest';
import type { Config } from './config';
import type { Clock } from './core/ports';
import type { Reports } from './core/reports';
import type { RunbookCatalog } from './core/runbook/catalog';
import type { Logger } from './logger';
import { DigestClaims } from './digest/claims';
import { PgReports } from './store/reports';
import { WeeklyDigest } from './digest/run';

/** The digest as configured, or null when DIGEST_SLACK_CHANNEL is unset (or Slack is not served). */
export function weeklyDigestFrom(
  config: Config,
  deps: { pool: Pool; catalog: RunbookCatalog; clock: Clock; logger: Logger; reports?: Reports },
): WeeklyDigest | null {
  const channel = config.digest.slackChannel;
  if (!channel || !config.slack) return null;
  return new WeeklyDigest({
    claims: new DigestClaims(deps.pool),
    reports: deps.reports ?? new PgReports(deps.pool),
    runbookClasses: [...new Set(deps.catalog.all.map((r) => r.class))],
    poster: new SlackDigestPoster(createSlackClient(config.slack)),
    clock: deps.clock,
    logger: deps.logger,
    schedule: { cron: config.digest.cron, tz: config.digest.tz, channel },
  });
}
