import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../../src/app/config';
import { NotWrittenError, UserError } from '../../src/core/errors';
import type { CoreDeps } from '../../src/core/incident/deps';
import type { Snapshot } from '../../src/core/model';
import type { Change, IncidentStore } from '../../src/core/ports';
import { createLogger } from '../../src/util/logger';
import { pagerDutyRoute } from '../../src/alerts/pagerduty-route';
import { signPagerDuty } from '../../src/alerts/pagerduty-signature';
import { INCIDENT_ID, makeSnapshot } from '../support/factories';

// The route alone, over a store that only counts: what it answers, what it logs, and that a refused
// request never reaches the store. The whole path, with Postgres and Slack, is test/e2e/pagerduty-acks.test.ts.

const SECRET = 'pd-v3-signing-secret-0123456789abcdef';
const ACK = {
  event: {
    id: '01DEN4HPBQAA',
    event_type: 'incident.acknowledged',
    agent: { id: 'PXPGF42', summary: 'Earline Greenholt' },
    data: { id: 'PT4KHLK', incident_key: `incident-bot-${INCIDENT_ID}` },
  },
};

describe('POST /webhooks/pagerduty', () => {
  let server: Server;
  let url: string;
  let logs: Array<{ level: number; msg: string }>;
  let mutate: jest.Mock;
  let snapshot: Snapshot;

  async function start(secret: string | null) {
    logs = [];
    snapshot = makeSnapshot({ status: 'declared' });
    mutate = jest.fn(async (_id: string, decide: (s: Snapshot) => Change) => ({ snapshot, changed: decide(snapshot).events.length > 0 }));
    const deps = { store: { mutate } as unknown as IncidentStore, clock: { now: () => new Date() } } as unknown as CoreDeps;
    const logger = createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line)) });
    const route = pagerDutyRoute(secret, deps, logger);
    server = createServer(route.handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${route.path}`;
  }
  afterEach(async () => new Promise<void>((r) => server.close(() => r())));

  async function post(body: unknown, signature: string | null | 'sign' = 'sign') {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const sig = signature === 'sign' ? signPagerDuty(SECRET, raw) : signature;
    const res = await fetch(url, { method: 'POST', headers: sig === null ? {} : { 'x-pagerduty-signature': sig }, body: raw });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const warnings = () => logs.filter((l) => l.level === 40).map((l) => l.msg);

  it('acknowledges with the actor and PagerDuty id it names, logging what it did', async () => {
    await start(SECRET);
    expect(await post(ACK)).toEqual({ status: 200, body: { outcome: 'acknowledged' } });
    expect(mutate).toHaveBeenCalledTimes(1);
    expect(mutate.mock.calls[0]![0]).toBe(INCIDENT_ID);
    const change = (mutate.mock.calls[0]![1] as (s: Snapshot) => Change)(snapshot);
    expect(change.events[0]).toMatchObject({ actor: 'pagerduty:Earline Greenholt', data: { via: 'pagerduty', pagerDutyIncident: 'PT4KHLK' } });
    expect(logs.map((l) => l.msg)).toContain('acknowledged from PagerDuty');
    expect(warnings()).toEqual([]);
  });

  it('refuses, records nothing and says why: unsigned, badly signed, oversized, not JSON, not the shape', async () => {
    await start(SECRET);
    const cases: Array<[unknown, string | null | 'sign', number, RegExp]> = [
      [ACK, null, 401, /not authenticated, no X-PagerDuty-Signature header \(check PAGERDUTY_WEBHOOK_SECRET/],
      [ACK, signPagerDuty('another-secret-0123456789', JSON.stringify(ACK)), 401, /not authenticated, no signature matches/],
      [{ ...ACK, pad: 'x'.repeat(65 * 1024) }, 'sign', 413, /body larger than 64 KB/],
      ['{"event":', 'sign', 400, /the body is not JSON/],
      [{ event: { event_type: 42 } }, 'sign', 400, /not the expected shape/],
      [{ event: { ...ACK.event, data: 'PT4KHLK' } }, 'sign', 400, /not the expected shape/],
    ];
    for (const [body, signature, status, why] of cases) {
      logs.length = 0;
      expect((await post(body, signature)).status).toBe(status);
      expect(warnings()).toEqual([expect.stringMatching(why)]);
    }
    expect(mutate).not.toHaveBeenCalled();
    // The secret never appears in what is logged.
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });

  it('answers 200 without touching the store for other events and for keys that are not ours', async () => {
    await start(SECRET);
    expect(await post({ event: { ...ACK.event, event_type: 'pagey.ping', data: null } })).toEqual({ status: 200, body: { outcome: 'ignored' } });
    const notOurs = { event: { ...ACK.event, data: { id: 'PT4KHLK', incident_key: 'disk-full-db-1' } } };
    expect(await post(notOurs)).toEqual({ status: 200, body: { outcome: 'not_ours' } });
    expect(logs.map((l) => l.msg)).toContain('PagerDuty acknowledgement not ours: its incident_key is no dedup key of this bot');
    expect(mutate).not.toHaveBeenCalled();
  });

  it('calls an incident the store does not have not ours, and answers 503 when the store did not take it', async () => {
    await start(SECRET);
    mutate.mockRejectedValueOnce(new UserError({ code: 'not_found' }));
    expect(await post(ACK)).toEqual({ status: 200, body: { outcome: 'not_ours' } });
    mutate.mockRejectedValueOnce(new NotWrittenError(new Error('connection refused')));
    expect(await post(ACK)).toEqual({ status: 503, body: { error: 'not recorded, try again' } });
    expect(logs.filter((l) => l.level === 50).map((l) => l.msg)).toEqual(['PagerDuty acknowledgement not recorded; PagerDuty will retry']);
  });

  it('answers 404 while PAGERDUTY_WEBHOOK_SECRET is unset', async () => {
    await start(null);
    const res = await post(ACK);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/set PAGERDUTY_WEBHOOK_SECRET/);
    expect(mutate).not.toHaveBeenCalled();
  });
});

describe('PAGERDUTY_WEBHOOK_SECRET', () => {
  const BASE = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/incident_bot' };

  it('is off by default, read when set, and refused when too short without echoing it', () => {
    expect(loadConfig(BASE).pagerDutyWebhookSecret).toBeNull();
    expect(loadConfig({ ...BASE, PAGERDUTY_WEBHOOK_SECRET: '' }).pagerDutyWebhookSecret).toBeNull();
    expect(loadConfig({ ...BASE, PAGERDUTY_WEBHOOK_SECRET: SECRET }).pagerDutyWebhookSecret).toBe(SECRET);
    let refused: unknown;
    try {
      loadConfig({ ...BASE, PAGERDUTY_WEBHOOK_SECRET: 'short-secret' });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([expect.stringMatching(/^PAGERDUTY_WEBHOOK_SECRET is too short: paste the signing secret/)]);
    expect((refused as ConfigError).message).not.toContain('short-secret');
  });
});
