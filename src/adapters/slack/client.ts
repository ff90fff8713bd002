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
  });
}

/** Slack's error code from a failed Web API call (e.g. name_taken), if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: string } })?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
