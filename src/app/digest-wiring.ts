import type { Pool } from 'pg';
import { createSlackClient } from '../adapters/slack/client';
import { SlackDigestPoster } from '../adapters/slack/digest';
import type { Config } from './config';
import type { Clock } from '../core/ports';
import type { Reports } from '../core/reports';
import type { RunbookCatalog } from '../core/runbook/catalog';
import type { Logger } from '../util/logger';
import { DigestClaims } from '../store/digest-claims';
import type { DigestPoster } from '../jobs/handlers/digest-weekly';
import { PgReports } from '../store/reports';
import { TeamsDirectory } from '../store/teams-directory';
import { WeeklyDigest } from '../jobs/handlers/digest-weekly';

type DigestDeps = { pool: Pool; catalog: RunbookCatalog; clock: Clock; logger: Logger; reports?: Reports };

/** One digest per configured channel: DIGEST_SLACK_CHANNEL (with Slack served), DIGEST_TEAMS_CHANNEL (with Teams). */
export function weeklyDigestsFrom(config: Config, deps: DigestDeps): WeeklyDigest[] {
  const out: WeeklyDigest[] = [];
  const slack = config.digest.slackChannel;
  if (slack && config.slack) out.push(digestTo(config, deps, slack, new SlackDigestPoster(createSlackClient(config.slack))));
  const teams = config.digest.teamsChannel;
  if (teams && config.teams) {
    // Loaded only here: botbuilder takes most of a second to load, and only Teams needs it.
    const { TeamsAdapter }: typeof import('../adapters/teams/adapter') = require('../adapters/teams/adapter');
    const { TeamsConnector }: typeof import('../adapters/teams/connector') = require('../adapters/teams/connector');
    const { TeamsDigestPoster }: typeof import('../adapters/teams/digest') = require('../adapters/teams/digest');
    const connector = new TeamsConnector(new TeamsAdapter(config.teams), new TeamsDirectory(deps.pool));
    out.push(digestTo(config, deps, teams, new TeamsDigestPoster(connector)));
  }
  return out;
}

/** The Slack digest alone, or null when DIGEST_SLACK_CHANNEL is unset (or Slack is not served). */
export function weeklyDigestFrom(config: Config, deps: DigestDeps): WeeklyDigest | null {
  const channel = config.digest.slackChannel;
  return channel && config.slack ? digestTo(config, deps, channel, new SlackDigestPoster(createSlackClient(config.slack))) : null;
}

function digestTo(config: Config, deps: DigestDeps, channel: string, poster: DigestPoster): WeeklyDigest {
  return new WeeklyDigest({
    claims: new DigestClaims(deps.pool),
    reports: deps.reports ?? new PgReports(deps.pool),
    runbookClasses: deps.catalog.coveredClasses(),
    poster,
    clock: deps.clock,
    logger: deps.logger,
    schedule: { cron: config.digest.cron, tz: config.digest.tz, channel },
  });
}
