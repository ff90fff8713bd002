import { PermanentError, RetryLaterError } from '../../core/errors';

/** The HTTP status of a failed Bot Connector call, if it is one. */
export function connectorStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function retryAfterMs(err: unknown): number | null {
  const headers = (err as { response?: { headers?: { get?: (name: string) => string | null | undefined } } })?.response?.headers;
  const value = headers?.get?.('retry-after');
  const seconds = value ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

/** What whoever runs the bot must fix when Teams refuses for good, in one sentence. */
export function teamsFix(status: number | undefined): string {
  if (status === 401) return 'Teams refused the bot\'s credentials: check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID and MICROSOFT_APP_TYPE.';
  if (status === 403) return 'Teams refused: the Incident app must be installed in the team that owns the channel (see docs/teams.md).';
  return 'Ask whoever runs the bot to check its logs.';
}

/**
 * Teams' answer in the job layer's terms: wait as long as Retry-After says on 429, stop at once
 * on what retrying cannot fix (credentials, permissions, a request Teams rejects), retry the rest.
 */
export function forJobs(err: unknown): unknown {
  const status = connectorStatus(err);
  if (status === 429) return new RetryLaterError(retryAfterMs(err) ?? 5_000, 'Teams rate limit');
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 404) {
    return new PermanentError(`Teams refused (${status}): ${teamsFix(status)}`);
  }
  return err;
}
