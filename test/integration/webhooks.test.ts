import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { loadConfig, type WebhookConfig } from '../../src/app/config';
import { PermanentError, RetryLaterError } from '../../src/core/errors';
import { signWebhook } from '../../src/webhooks/signature';
import { verifyWebhookSignature, WebhookSender, type WebhookEvent } from '../../src/webhooks/sender';
import { recordingServer, type RecordingServer, type Seen } from '../support/recording-server';
import { rejection } from '../support/refusals';

// Obviously fake: nothing here is a real key.
const HMAC_SECRET = 'fake-hmac-secret-for-tests-only';
const ROUTING_KEY = 'FAKE0ROUTING0KEY0FOR0TESTS000000';

/** A receiver on 127.0.0.1 that records every request; each path answers its own way. */
type Receiver = RecordingServer;

type Route = (res: http.ServerResponse, seen: Seen) => void;

const FLOOD_BYTES = 50 * 1024 * 1024;
// One gzip member of 1 MB of zeros is about 1 KB; members may follow each other, so 50 MB of them inflate to ~50 GB.
const BOMB_MEMBER = gzipSync(Buffer.alloc(1024 * 1024));

/** How far the last flood got before the client went away. */
let flood: Promise<{ written: number; finished: boolean }> = Promise.resolve({ written: 0, finished: false });

/** Writes chunk after chunk up to FLOOD_BYTES, as fast as the client reads. */
function pour(res: http.ServerResponse, chunk: Buffer): void {
  let written = 0;
  flood = new Promise((resolve) => res.on('close', () => resolve({ written, finished: res.writableFinished })));
  const more = (): void => {
    while (written < FLOOD_BYTES && !res.destroyed) {
      written += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

const ROUTES: Record<string, Route> = {
  '/ok': (res) => res.writeHead(200).end('ok'),
  '/pagerduty': (res) => res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success","message":"Event processed"}'),
  // Echoes the request, as some error pages do: the secret must not come back out in the error.
  '/boom': (res, seen) => res.writeHead(500).end(`internal error while handling ${seen.body}`),
  '/bad': (res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"status":"invalid event","errors":["payload.summary is required"]}'),
  '/busy': (res) => res.writeHead(429, { 'retry-after': '7' }).end('slow down'),
  '/busy-no-hint': (res) => res.writeHead(429).end('slow down'),
  '/moved': (res) => res.writeHead(302, { location: '/ok' }).end(),
  '/never': () => undefined,
  '/flood': (res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    pour(res, Buffer.from('internal error '.repeat(4096)));
  },
  '/bomb': (res) => {
    res.writeHead(500, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    pour(res, BOMB_MEMBER);
  },
};

let receiver: Receiver;

beforeAll(async () => {
  // close() cuts open connections: /never keeps its request open.
  receiver = await recordingServer((_req, res, seen) => {
    const route = ROUTES[new URL(seen.url, 'http://receiver').pathname];
    if (route) route(res, seen);
    else res.writeHead(404).end();
  });
});

afterAll(() => receiver.close());

beforeEach(() => {
  receiver.requests.length = 0;
});

const INCIDENT_ID = '5f0c6a3e-8d1b-4c47-9a52-2f7e1b9c0d11';

function event(overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    action: 'trigger',
    incident: {
      id: INCIDENT_ID,
      number: 7,
      title: 'PDF 404',
      severity: 2,
      runbookId: 'pdf-404',
      status: 'declared',
      channelUrl: 'https://example.slack.com/archives/C0INCIDENT',
    },
    level: 2,
    reason: 'timeout',
    targets: ['@support-oncall', 'webhook:statuspage'],
    at: new Date('2026-11-26T03:20:00.000Z'),
    ...overrides,
  };
}

function generic(path: string, name = 'statuspage'): WebhookConfig {
  return { name, url: `${receiver.origin}${path}`, secret: HMAC_SECRET, preset: 'generic' };
}

function sender(...webhooks: WebhookConfig[]): WebhookSender {
  return new WebhookSender(Object.fromEntries(webhooks.map((w) => [w.name, w])), { timeoutMs: 2000 });
}

describe('generic webhook', () => {
  it('posts the event as JSON, signed so that verifyWebhookSignature accepts it', async () => {
    const incident = { ...event().incident, declaredBy: 'U0DECLARER', summary: 'not for receivers' };
    await sender(generic('/ok')).send('statuspage', event({ incident }));

    expect(receiver.requests).toHaveLength(1);
    const [seen] = receiver.requests as [Seen];
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/ok');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen.body)).toEqual({
      event: 'escalation.fired',
      incident: event().incident,
      level: 2,
      reason: 'timeout',
      targets: ['@support-oncall', 'webhook:statuspage'],
      at: '2026-11-26T03:20:00.000Z',
    });

    const timestamp = seen.headers['x-incident-bot-timestamp'] as string;
    const signature = seen.headers['x-incident-bot-signature'] as string;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(HMAC_SECRET, timestamp, seen.body, signature)).toBe(true);
    expect(verifyWebhookSignature(HMAC_SECRET, timestamp, Buffer.from(seen.body), signature)).toBe(true);
  });

  it('fails verification for a tampered body, another secret, another timestamp or a missing header', async () => {
    await sender(generic('/ok')).send('statuspage', event());
    const [seen] = receiver.requests as [Seen];
    const timestamp = seen.headers['x-incident-bot-timestamp'] as string;
    const signature = seen.headers['x-incident-bot-signature'] as string;

    expect(verifyWebhookSignature(HMAC_SECRET, timestamp, seen.body.replace('"level":2', '"level":1'), signature)).toBe(false);
    expect(verifyWebhookSignature('fake-other-secret-for-tests', timestamp, seen.body, signature)).toBe(false);
    expect(verifyWebhookSignature(HMAC_SECRET, String(Number(timestamp) - 1), seen.body, signature)).toBe(false);
    expect(verifyWebhookSignature(HMAC_SECRET, timestamp, seen.body, undefined)).toBe(false);
    expect(verifyWebhookSignature(HMAC_SECRET, undefined, seen.body, signature)).toBe(false);
    expect(verifyWebhookSignature(HMAC_SECRET, timestamp, seen.body, signature.slice(0, -1))).toBe(false);
  });

  it('refuses a correctly signed request whose timestamp is older than the tolerance', () => {
    const body = '{"event":"escalation.fired"}';
    const old = Math.floor(Date.now() / 1000) - 301;
    const signature = signWebhook(HMAC_SECRET, old, body);

    expect(verifyWebhookSignature(HMAC_SECRET, String(old), body, signature)).toBe(false);
    expect(verifyWebhookSignature(HMAC_SECRET, String(old), body, signature, 600)).toBe(true);
    const ahead = Math.floor(Date.now() / 1000) + 301;
    expect(verifyWebhookSignature(HMAC_SECRET, String(ahead), body, signWebhook(HMAC_SECRET, ahead, body))).toBe(false);
  });

  it('gives the same delivery id to every send of one event, and another to another level or the resolve', async () => {
    const s = sender(generic('/ok'));
    await s.send('statuspage', event());
    await s.send('statuspage', event());
    await s.send('statuspage', event({ level: 3 }));
    await s.send('statuspage', event({ action: 'resolve', level: null, reason: null, at: new Date('2026-11-26T04:00:00.000Z') }));

    const ids = receiver.requests.map((r) => r.headers['x-incident-bot-delivery']);
    expect(ids).toEqual([`${INCIDENT_ID}:trigger:2`, `${INCIDENT_ID}:trigger:2`, `${INCIDENT_ID}:trigger:3`, `${INCIDENT_ID}:resolve`]);
    expect(JSON.parse(receiver.requests[3]!.body)).toEqual(
      expect.objectContaining({ event: 'incident.resolved', level: null, reason: null, at: '2026-11-26T04:00:00.000Z' }),
    );
  });
});

describe('pagerduty webhook', () => {
  // Through loadConfig, as production builds it; http is allowed because the receiver is loopback.
  const pagerduty = () =>
    loadConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/incident_bot',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 'signing-secret-123456',
      ESCALATION_WEBHOOKS: 'pagerduty',
      ESCALATION_WEBHOOK_PAGERDUTY_PRESET: 'pagerduty',
      ESCALATION_WEBHOOK_PAGERDUTY_SECRET: ROUTING_KEY,
      ESCALATION_WEBHOOK_PAGERDUTY_URL: `${receiver.origin}/pagerduty`,
    }).webhooks;

  it('triggers an Events API v2 alert keyed by the incident, with the severity mapped', async () => {
    await new WebhookSender(pagerduty()).send('pagerduty', event({ incident: { ...event().incident, severity: 1 } }));

    const [seen] = receiver.requests as [Seen];
    expect(seen.url).toBe('/pagerduty');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen.body)).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: `incident-bot-${INCIDENT_ID}`,
      payload: {
        summary: 'INC-7 PDF 404 (escalation level 2)',
        source: 'incident-bot',
        severity: 'critical',
        timestamp: '2026-11-26T03:20:00.000Z',
        custom_details: { runbook: 'pdf-404', level: 2, reason: 'timeout', channel: 'https://example.slack.com/archives/C0INCIDENT' },
      },
    });
    // PagerDuty checks nothing but the routing key: no signature headers to leak our scheme.
    expect(seen.headers['x-incident-bot-signature']).toBeUndefined();
  });

  it.each([
    [2, 'error'],
    [3, 'warning'],
    [4, 'info'],
  ])('maps SEV%i to %s', async (severity, expected) => {
    await new WebhookSender(pagerduty()).send('pagerduty', event({ incident: { ...event().incident, severity } }));
    expect(JSON.parse(receiver.requests[0]!.body).payload.severity).toBe(expected);
  });

  it('resolves with the routing key, the action and the same dedup key only', async () => {
    await new WebhookSender(pagerduty()).send('pagerduty', event({ action: 'resolve', level: null, reason: null }));

    expect(JSON.parse(receiver.requests[0]!.body)).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: `incident-bot-${INCIDENT_ID}`,
    });
  });
});

describe('what a failed call becomes', () => {
  it('a 500 is a plain error, retried, naming the webhook and host but neither the secret nor the query', async () => {
    const hook = { ...generic('/boom'), url: `${receiver.origin}/boom?token=fake-query-token-should-not-leak` };
    const err = await rejection(sender(hook).send('statuspage', event()));

    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err).not.toBeInstanceOf(RetryLaterError);
    expect(err.message).toMatch(/^webhook statuspage \(127\.0\.0\.1:\d+\) answered 500: internal error/);
    expect(err.message).not.toContain('fake-query-token-should-not-leak');
    expect(err.message).not.toContain(HMAC_SECRET);
  });

  it('the PagerDuty key echoed in an error page is redacted', async () => {
    const hook: WebhookConfig = { name: 'pagerduty', url: `${receiver.origin}/boom`, secret: ROUTING_KEY, preset: 'pagerduty' };
    const err = await rejection(sender(hook).send('pagerduty', event()));

    expect(err.message).toContain('[redacted]');
    expect(err.message).not.toContain(ROUTING_KEY);
  });

  it('a 500 with an endless body is read only to the cap, and quoted clipped', async () => {
    const err = await rejection(sender(generic('/flood')).send('statuspage', event()));
    const { written, finished } = await flood;

    expect(err.message).toMatch(/^webhook statuspage \(127\.0\.0\.1:\d+\) answered 500: internal error internal error/);
    expect(err.message).toMatch(/…$/);
    expect(err.message.length).toBeLessThan(400);
    expect(finished).toBe(false);
    expect(written).toBeLessThan(FLOOD_BYTES);
  });

  it('a 500 with a gzip bomb for a body is not inflated: the request asked for identity, the body is left unread', async () => {
    const err = await rejection(sender(generic('/bomb')).send('statuspage', event()));
    const { written, finished } = await flood;

    expect(receiver.requests[0]?.headers['accept-encoding']).toBe('identity');
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/^webhook statuspage \(127\.0\.0\.1:\d+\) answered 500: \(a gzip body, not read\)$/);
    expect(finished).toBe(false);
    expect(written).toBeLessThan(FLOOD_BYTES);
  });

  it('a 400 is permanent, quoting the receiver and naming the variables to check', async () => {
    const err = await rejection(sender(generic('/bad')).send('statuspage', event()));

    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/refused the call with 400: .*payload\.summary is required/);
    expect(err.message).toContain('ESCALATION_WEBHOOK_STATUSPAGE_URL and ESCALATION_WEBHOOK_STATUSPAGE_SECRET');
  });

  it('a 429 with Retry-After says when to come back; without it, it is a plain error', async () => {
    const later = await rejection(sender(generic('/busy')).send('statuspage', event()));
    expect(later).toBeInstanceOf(RetryLaterError);
    expect((later as RetryLaterError).afterMs).toBe(7000);

    const plain = await rejection(sender(generic('/busy-no-hint')).send('statuspage', event()));
    expect(plain).not.toBeInstanceOf(RetryLaterError);
    expect(plain).not.toBeInstanceOf(PermanentError);
    expect(plain.message).toMatch(/answered 429/);
  });

  it('a redirect is not followed: the body would go elsewhere', async () => {
    const err = await rejection(sender(generic('/moved')).send('statuspage', event()));

    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/answered 302, a redirect/);
    expect(receiver.requests.map((r) => r.url)).toEqual(['/moved']);
  });

  it('an unconfigured name is permanent, naming the variables to set, and calls nobody', async () => {
    const err = await rejection(sender(generic('/ok')).send('status-page', event()));

    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toContain('add status-page to ESCALATION_WEBHOOKS');
    expect(err.message).toContain('ESCALATION_WEBHOOK_STATUS_PAGE_URL');
    expect(err.message).toContain('ESCALATION_WEBHOOK_STATUS_PAGE_SECRET');
    expect(err.message).toContain('ESCALATION_WEBHOOK_STATUS_PAGE_PRESET=pagerduty');
    await expect(sender().send('constructor', event())).rejects.toBeInstanceOf(PermanentError);
    expect(receiver.requests).toHaveLength(0);
  });

  it('a receiver that never answers is a plain error once the timeout passes', async () => {
    const s = new WebhookSender({ statuspage: generic('/never') }, { timeoutMs: 300 });
    const started = Date.now();
    const err = await rejection(s.send('statuspage', event()));

    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/^webhook statuspage \(127\.0\.0\.1:\d+\) did not answer within 300 ms$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a receiver that cannot be reached is a plain error with the network code', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const err = await rejection(sender({ ...generic('/ok'), url: `http://127.0.0.1:${port}/ok` }).send('statuspage', event()));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`webhook statuspage (127.0.0.1:${port}) could not be reached: ECONNREFUSED`);
  });
});
