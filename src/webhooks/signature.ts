import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-incident-bot-timestamp';
export const SIGNATURE_HEADER = 'x-incident-bot-signature';
export const DELIVERY_HEADER = 'x-incident-bot-delivery';

const VERSION = 'v1';

/**
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. The timestamp is signed with the body
 * so a captured request cannot be replayed later under a fresh timestamp.
 */
export function signWebhook(secret: string, timestamp: number | string, body: string | Buffer): string {
  return `${VERSION}=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * For receivers: true when `header` signs `timestamp` and the raw `body` with `secret`, and the
 * timestamp is within `toleranceS` seconds of now (either way, for clock drift). Pass the body
 * exactly as received: re-serialised JSON does not match.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | undefined,
  body: string | Buffer,
  header: string | undefined,
  toleranceS = 300,
): boolean {
  if (timestamp === undefined || header === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(header.trim());
  // timingSafeEqual throws on different lengths; the length of a well-formed signature is public.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
