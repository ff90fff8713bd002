import { PermanentError, RetryLaterError } from '../core/errors';

export interface Answer {
  status: number;
  retryAfter: string | null;
  /** The body of a refusal, already cut short and stripped of the secret. */
  text: string;
}

/**
 * A receiver's answer in the job layer's terms: null for success; RetryLaterError when it said
 * when to come back; a plain Error (retried with backoff) for what may pass (408, 429, 5xx);
 * PermanentError for what will not change until someone fixes the configuration or the receiver.
 */
export function answerError(what: string, answer: Answer, fix: string, now = Date.now()): Error | null {
  const { status } = answer;
  if (status >= 200 && status < 300) return null;
  const said = answer.text ? `: ${answer.text}` : '';
  if (status === 429) {
    const afterMs = retryAfterMs(answer.retryAfter, now);
    if (afterMs !== null) return new RetryLaterError(afterMs, `${what} is rate limited: retry after ${Math.ceil(afterMs / 1000)} s`);
  }
  if (status === 408 || status === 429 || status >= 500) return new Error(`${what} answered ${status}${said}`);
  // Redirects are not followed: they would carry the body, and the PagerDuty key in it, elsewhere.
  if (status >= 300 && status < 400) return new PermanentError(`${what} answered ${status}, a redirect, which is not followed: ${fix}`);
  return new PermanentError(`${what} refused the call with ${status}${said} (${fix})`);
}

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
function retryAfterMs(value: string | null, now: number): number | null {
  const v = value?.trim();
  if (!v) return null;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const MAX_TEXT = 300;

/** A refusal's body as one short line, fit for an error message and a log. */
export function refusalText(body: string, secret: string): string {
  const redacted = secret ? body.split(secret).join('[redacted]') : body;
  return redacted.replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
}
