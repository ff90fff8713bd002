import { PermanentError, RetryLaterError } from '../../core/errors';

/**
 * The call may have reached Slack, which may have done it: the connection dropped or Slack
 * answered 5xx, so there is no answer to read. Not a refusal and not a rate limit.
 */
export function answerLost(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'slack_webapi_request_error' || code === 'slack_webapi_http_error';
}

/** Slack's error code from a failed Web API call (e.g. name_taken), if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: string } })?.data;
  if (typeof data?.error === 'string') return data.error;
  if ((err as { code?: string })?.code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  return undefined;
}

// Retrying these cannot help until someone changes the app, its token or the workspace settings.
const AUTH = ['not_authed', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'missing_scope', 'not_allowed_token_type'];
const WORKSPACE = ['restricted_action', 'no_permission', 'ekm_access_denied', 'team_access_not_granted', 'org_login_required'];
const OURS = ['invalid_blocks', 'invalid_arguments', 'invalid_name_specials', 'invalid_name', 'is_archived', 'channel_not_found', 'not_in_channel'];

export function isPermanent(code: string | undefined): boolean {
  return code !== undefined && [...AUTH, ...WORKSPACE, ...OURS].includes(code);
}

/** What whoever runs the bot must do about a permanent error, in one sentence. */
export function fixFor(code: string | undefined, incident: string): string {
  if (code && AUTH.includes(code)) {
    return 'The Slack app is not installed with the scopes in slack/manifest.*.json, or its token is no longer valid: reinstall it and update SLACK_BOT_TOKEN.';
  }
  if (code && WORKSPACE.includes(code)) {
    return 'A Slack workspace setting stops the bot: ask a Slack admin to let apps create and manage public channels.';
  }
  return `Ask whoever runs the bot to check its logs for ${incident}.`;
}

/**
 * Slack's answer in the job layer's terms: wait as long as Retry-After says, stop at once on what
 * cannot succeed, retry the rest with backoff.
 */
export function forJobs(err: unknown): unknown {
  const retryAfter = (err as { retryAfter?: number })?.retryAfter;
  if (typeof retryAfter === 'number') return new RetryLaterError(retryAfter * 1000, `Slack rate limit: retry after ${Math.ceil(retryAfter)} s`);
  const code = slackErrorCode(err);
  if (isPermanent(code)) return new PermanentError(`Slack refused: ${code}`);
  return err;
}
