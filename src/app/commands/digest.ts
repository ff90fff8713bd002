import { loadConfig } from '../config';
import { systemClock } from '../../core/ports';
import { loadCatalog } from '../../core/runbook/loader';
import { weeklyDigestsFrom } from '../digest-wiring';
import { createLogger } from '../../util/logger';
import { createPool } from '../../store/db';

/** `incident-bot digest --now`: the same once-per-period rule as the schedule, so it never posts twice. */
export async function digestCommand(): Promise<number> {
  const config = loadConfig();
  const pool = createPool(config.databaseUrl, 2);
  try {
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
    const digests = weeklyDigestsFrom(config, { pool, catalog: loadCatalog(config.runbooksDir), clock: systemClock, logger });
    if (digests.length === 0) {
      process.stderr.write(
        'No digest channel: set DIGEST_SLACK_CHANNEL to a Slack channel ID (C…) the bot is in, or DIGEST_TEAMS_CHANNEL to a Teams channel ID (19:…).\n',
      );
      return 2;
    }
    for (const digest of digests) {
      const outcome = await digest.run();
      const period = `${outcome.period.start.toISOString()} to ${outcome.period.end.toISOString()}`;
      const channel = digest.channel;
      process.stdout.write(
        outcome.posted
          ? `Posted the digest of ${period} to ${channel} (message ${outcome.ref}).\n`
          : `The digest of ${period} is already posted to ${channel}, or being posted by a running bot: nothing done.\n`,
      );
    }
    return 0;
  } finally {
    await pool.end();
  }
}
