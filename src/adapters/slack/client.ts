import { WebClient } from '@slack/web-api';
import type { SlackConfig } from '../../config';

/** SLACK_API_URL with the trailing slash the Slack SDKs expect; undefined means Slack itself. */
export function slackApiUrl(config: SlackConfig): string | undefined {
  const url = config.apiUrl;
  return url ? (url.endsWith('/') ? url : `${url}/`) : undefined;
}

/** The Web API client shared by the Bolt app and the worker; SLACK_API_URL points it elsewhere in tests. */
export function createSlackClient(config: SlackConfig): WebClient {
  return new WebClient(config.botToken, {
    slackApiUrl: slackApiUrl(config),
    // BullMQ owns retries with backoff; the client's own half-hour retry loop would hide failures.
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
    // A rate limit comes back as an error with Retry-After, so the job waits that long in Redis
    // instead of holding a worker slot while the client sleeps.
    rejectRateLimitedCalls: true,
  });
}
