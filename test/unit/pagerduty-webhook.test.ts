import { createHmac } from 'node:crypto';
import { incidentOfDedupKey, pagerDutyDedupKey } from '../../src/webhooks/pagerduty';
import { pagerDutyActor, pagerDutyIncidentRef } from '../../src/alerts/pagerduty-events';
import { signPagerDuty, verifyPagerDutySignature } from '../../src/alerts/pagerduty-signature';
import { INCIDENT_ID } from '../support/factories';

const SECRET = 'pd-signing-secret-0123456789abcdef';
const BODY = '{"event":{"id":"01","event_type":"incident.acknowledged","data":{"id":"PT4KHLK","incident_key":"k"}}}';
const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

describe("PagerDuty's V3 webhook signature", () => {
  it('accepts v1=<hex HMAC-SHA256(secret, raw body)>, in either case', () => {
    expect(signPagerDuty(SECRET, BODY)).toBe(`v1=${hmac(SECRET, BODY)}`);
    expect(verifyPagerDutySignature(SECRET, BODY, `v1=${hmac(SECRET, BODY)}`)).toBe(true);
    expect(verifyPagerDutySignature(SECRET, Buffer.from(BODY), `v1=${hmac(SECRET, BODY).toUpperCase()}`)).toBe(true);
  });

  it('accepts a list when any signature matches (a secret being rotated), with spaces around the commas', () => {
    const other = `v1=${hmac('the-old-secret-0123456789', BODY)}`;
    expect(verifyPagerDutySignature(SECRET, BODY, `${other}, v1=${hmac(SECRET, BODY)}`)).toBe(true);
    expect(verifyPagerDutySignature(SECRET, BODY, `v1=${hmac(SECRET, BODY)},${other}`)).toBe(true);
    expect(verifyPagerDutySignature(SECRET, BODY, `${other},${other}`)).toBe(false);
  });

  it('refuses a missing or empty header, another secret, a changed body and anything not v1=<64 hex>', () => {
    const good = hmac(SECRET, BODY);
    expect(verifyPagerDutySignature(SECRET, BODY, undefined)).toBe(false);
    expect(verifyPagerDutySignature(SECRET, BODY, '')).toBe(false);
    expect(verifyPagerDutySignature('another-secret-0123456789', BODY, `v1=${good}`)).toBe(false);
    expect(verifyPagerDutySignature(SECRET, BODY.replace('PT4KHLK', 'PT4KHLL'), `v1=${good}`)).toBe(false);
    expect(verifyPagerDutySignature(SECRET, `${BODY} `, `v1=${good}`)).toBe(false);
    for (const header of [good, `v0=${good}`, `v2=${good}`, `v1=${good.slice(2)}`, `v1=${good}00`, `v1=${good.slice(1)}g`, `v1 = ${good}`, 'v1=']) {
      expect(verifyPagerDutySignature(SECRET, BODY, header)).toBe(false);
    }
  });

  it('does not look past the first few signatures of a header', () => {
    const junk = Array(8)
      .fill(`v1=${'0'.repeat(64)}`)
      .join(',');
    expect(verifyPagerDutySignature(SECRET, BODY, `${junk},v1=${hmac(SECRET, BODY)}`)).toBe(false);
  });
});

describe('our dedup key, as PagerDuty hands it back', () => {
  it('names the incident it was made for, and nothing else', () => {
    expect(pagerDutyDedupKey(INCIDENT_ID)).toBe(`incident-bot-${INCIDENT_ID}`);
    expect(incidentOfDedupKey(pagerDutyDedupKey(INCIDENT_ID))).toBe(INCIDENT_ID);
    expect(incidentOfDedupKey(`incident-bot-${INCIDENT_ID.toUpperCase()}`)).toBe(INCIDENT_ID.toLowerCase());
    for (const key of [
      null,
      undefined,
      '',
      INCIDENT_ID,
      'incident-bot-',
      'incident-bot-1',
      `incident-bot-${INCIDENT_ID}x`,
      `other-${INCIDENT_ID}`,
      "incident-bot-'; DROP TABLE incidents; --",
    ]) {
      expect(incidentOfDedupKey(key)).toBeNull();
    }
  });
});

describe('who acknowledged in PagerDuty, as the timeline names them', () => {
  it('is pagerduty:<their PagerDuty name>, else their id, else just pagerduty', () => {
    expect(pagerDutyActor({ id: 'PXPGF42', summary: 'Earline Greenholt' })).toBe('pagerduty:Earline Greenholt');
    expect(pagerDutyActor({ id: 'PXPGF42', summary: 'José Müller-Lüdenscheidt' })).toBe('pagerduty:José Müller-Lüdenscheidt');
    expect(pagerDutyActor({ id: 'PXPGF42', summary: '   ' })).toBe('pagerduty:PXPGF42');
    expect(pagerDutyActor({ id: 'PXPGF42' })).toBe('pagerduty:PXPGF42');
    expect(pagerDutyActor(null)).toBe('pagerduty');
    expect(pagerDutyActor(undefined)).toBe('pagerduty');
  });

  it('keeps no markup, mention or control character of a hostile name, and clips a long one', () => {
    const actor = pagerDutyActor({ summary: '<!channel> *Eve*\n<@U123|boss> ＜!here＞ `x` _y_ ~z~ &amp; \u202Eevil\u0000' });
    expect(actor).toBe('pagerduty:channel Eve U123 boss here x y z amp evil');
    for (const c of ['<', '>', '*', '_', '`', '~', '&', '|', '\n', '\u202E', '\u0000']) expect(actor).not.toContain(c);
    const long = pagerDutyActor({ summary: 'A'.repeat(500) });
    expect(long).toBe(`pagerduty:${'A'.repeat(64)}`);
    expect(pagerDutyActor({ summary: '<<<>>>', id: 'P<script>' })).toBe('pagerduty:P script');
  });

  it("keeps PagerDuty's incident id only when it looks like one", () => {
    expect(pagerDutyIncidentRef('PT4KHLK')).toBe('PT4KHLK');
    expect(pagerDutyIncidentRef('PT4 KHLK')).toBeNull();
    expect(pagerDutyIncidentRef('x'.repeat(33))).toBeNull();
  });
});
