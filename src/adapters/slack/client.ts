import { WebClient } from '@slack/web-api';
import type { Config } from '../../config';

/** The Web API client shared by the Bolt app and the worker; SLACK_API_URL points it elsewhere in tests. */
export function createSlackClient(config: Config): WebClient {
  const apiUrl = config.slack.apiUrl;
  return new WebClient(config.slack.botToken, {
    slackApiUrl: apiUrl ? (apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`) : undefined,
    // BullMQ owns retries with backoff; the client's own half-hour retry loop would hide failures.
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
  });
}

/** Slack's error code from a failed Web API call (e.g. name_taken), if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: string } })?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
