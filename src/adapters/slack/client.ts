import { WebClient } from '@slack/web-api';
import type { SlackConfig } from '../../config';

/** SLACK_API_URL with the trailing slash the Slack SDKs expect; undefined means Slack itself. */
export function slackApiUrl(config: SlackConfig): string | undefined {
  const url = config.apiUrl;
  return url ? (url.endsWith('/') ? url : `${url}/`) : undefined;
}

/** The Web API client the Slack platform uses (jobs, clicks, App Home); SLACK_API_URL points it elsewhere in tests. */
export function createSlackClient(config: SlackConfig): WebClient {
  return new WebClient(config.botToken, {
    slackApiUrl: slackApiUrl(config),
    // No retry in the client: when Slack did the work but the answer was lost, a resend would
    // post or create a second copy before anything can look for the first. BullMQ retries the
    // job instead, and every job looks for what it already made before making it again. Reads
    // and updates would be safe to resend, but one rule for all methods is easier to trust.
    retryConfig: { retries: 0 },
    // A rate limit comes back as an error with Retry-After, so the job waits that long in Redis
    // instead of holding a worker slot while the client sleeps.
    rejectRateLimitedCalls: true,
  });
}
