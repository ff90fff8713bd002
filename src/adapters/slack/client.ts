import { WebClient, type WebAPICallResult } from '@slack/web-api';
import type { SlackConfig } from './settings';
import { MethodHolds } from './method-holds';
import { nodeFetch } from './node-fetch';

/** SLACK_API_URL with the trailing slash the Slack SDKs expect; undefined means Slack itself. */
export function slackApiUrl(config: SlackConfig): string | undefined {
  const url = config.apiUrl;
  return url ? (url.endsWith('/') ? url : `${url}/`) : undefined;
}

/** One per process: every client with the same token and API URL shares Slack's per-method limits. */
const holds = new MethodHolds();

/** One per process too: its kept-alive connections serve every client. */
const slackFetch = nodeFetch();

/**
 * A WebClient that keeps off a method while Slack's Retry-After for it runs: the call fails at
 * once, as rate-limited, so the job waits in Redis instead of being refused by Slack again.
 */
class HoldingWebClient extends WebClient {
  constructor(
    token: string,
    private readonly scope: string,
    options: ConstructorParameters<typeof WebClient>[1],
  ) {
    super(token, options);
  }

  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    const key = `${this.scope}|${typeof options.token === 'string' ? options.token : this.token}|${method}`;
    holds.check(key, method);
    try {
      return await super.apiCall(method, options);
    } catch (err) {
      holds.record(key, err);
      throw err;
    }
  }
}

/** The Web API client the Slack platform uses (jobs, clicks, App Home); SLACK_API_URL points it elsewhere in tests. */
export function createSlackClient(config: SlackConfig): WebClient {
  return new HoldingWebClient(config.botToken, slackApiUrl(config) ?? 'slack', {
    slackApiUrl: slackApiUrl(config),
    // No retry in the client: when Slack did the work but the answer was lost, a resend would
    // post or create a second copy before anything can look for the first. BullMQ retries the
    // job instead, and every job looks for what it already made before making it again. Reads
    // and updates would be safe to resend, but one rule for all methods is easier to trust.
    retryConfig: { retries: 0 },
    fetch: slackFetch,
    // A rate limit comes back as an error with Retry-After, so the job waits that long in Redis
    // instead of holding a worker slot while the client sleeps.
    rejectRateLimitedCalls: true,
  });
}
