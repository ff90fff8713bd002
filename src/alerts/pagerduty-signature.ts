import { createHmac, timingSafeEqual } from 'node:crypto';

export const PAGERDUTY_SIGNATURE_HEADER = 'x-pagerduty-signature';

// A header carries one signature per active secret (two while one is rotated); more is not PagerDuty.
const MAX_SIGNATURES = 8;

/**
 * PagerDuty's V3 webhook signature: `X-PagerDuty-Signature: v1=<hex HMAC-SHA256(secret, raw body)>`,
 * comma-separated when PagerDuty signs with more than one secret. True when any of them matches.
 * There is no timestamp to check: a replayed request can only repeat what it said, and what this
 * bot does with it (acknowledge) is a no-op the second time.
 */
export function verifyPagerDutySignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  let matched = false;
  for (const part of header.split(',').slice(0, MAX_SIGNATURES)) {
    const m = /^v1=([0-9a-f]{64})$/i.exec(part.trim());
    if (!m) continue;
    // Equal lengths (32 bytes each), compared in constant time; every candidate is compared, so the
    // time taken does not say which one matched.
    if (timingSafeEqual(Buffer.from(m[1]!, 'hex'), expected)) matched = true;
  }
  return matched;
}

/** What PagerDuty would send for `body`, for tests and tools. */
export function signPagerDuty(secret: string, body: string | Buffer): string {
  return `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
