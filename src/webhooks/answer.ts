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
/** More than an error page's first line needs; a receiver cannot make us hold more. */
export const MAX_READ_BYTES = 8 * 1024;

/** A refusal's body as one short line, fit for an error message and a log. */
export function refusalText(body: string, secret: string): string {
  const redacted = secret ? body.split(secret).join('[redacted]') : body;
  const line = redacted.replace(/\s+/g, ' ').trim();
  return line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT)}…` : line;
}

/**
 * At most MAX_READ_BYTES of a refusal's body. We ask for identity; a receiver that compresses anyway
 * is not read at all, since a few hundred KB of gzip can inflate to gigabytes (fetch would inflate it).
 */
export async function readRefusal(res: Response): Promise<string> {
  const encoding = res.headers.get('content-encoding')?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    await res.body?.cancel().catch(() => undefined);
    return `(a ${encoding.slice(0, 20)} body, not read)`;
  }
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  try {
    while (size < MAX_READ_BYTES) {
      const { done, value } = await reader.read();
      complete = done;
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still tells what arrived of it; the status is what counts.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, MAX_READ_BYTES));
  // Cut at the cap, a secret echoed there would be only half there and escape redaction: drop the last word.
  return complete ? text : text.replace(/\S{0,512}$/, '');
}
