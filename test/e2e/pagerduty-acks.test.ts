import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { declareWithChannel, ENG_INCIDENTS, quickLadderDir, seedWorkspace, webhookReceiver } from '../support/escalation-fixtures';
import { startHarness, type Harness } from '../support/harness';
import { sleep, until } from '../support/wait';
import { signPagerDuty } from '../../src/alerts/pagerduty-signature';

// PagerDuty pages the on-call through the `pagerduty` preset; when they acknowledge there, PagerDuty's
// V3 webhook tells the bot, which acknowledges the incident here and so stops its ladder. The fake
// PagerDuty is a loopback receiver for the Events API calls and these tests for the webhooks back.

const ALICE = 'UALICE01';
const PD_SECRET = 'pd-v3-signing-secret-0123456789abcdef';
const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF'; // 32 characters, like an integration key
const LEVEL2_MS = 5_000;
const LADDER = [
  { after: '1s', notify: ['@oncall-documents', 'webhook:pager'] },
  { after: '5s', notify: ['@documents-lead', '#eng-incidents'] },
];

interface Sent {
  status: number;
  body: any;
}

describe('acknowledged in PagerDuty', () => {
  let dir: string;
  let h: Harness;
  let pagerDuty: Awaited<ReturnType<typeof webhookReceiver>>;

  beforeAll(async () => {
    dir = quickLadderDir(LADDER);
    pagerDuty = await webhookReceiver();
    h = await startHarness({
      runbooksDir: dir,
      env: {
        PAGERDUTY_WEBHOOK_SECRET: PD_SECRET,
        ESCALATION_WEBHOOKS: 'pager',
        ESCALATION_WEBHOOK_PAGER_PRESET: 'pagerduty',
        ESCALATION_WEBHOOK_PAGER_URL: pagerDuty.url,
        ESCALATION_WEBHOOK_PAGER_SECRET: ROUTING_KEY,
      },
    });
    seedWorkspace(h.slack);
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
    await pagerDuty?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const declare = (summary: string) => declareWithChannel(h, summary, ALICE);

  /** A V3 webhook as PagerDuty sends it for one of its incidents. */
  function event(type: string, incidentKey: string | null, agent: Record<string, string> | null = { id: 'PXPGF42', summary: 'Earline Greenholt' }) {
    return {
      event: {
        id: randomUUID(),
        event_type: type,
        resource_type: 'incident',
        occurred_at: new Date().toISOString(),
        agent: agent && { ...agent, type: 'user_reference', html_url: 'https://acme.pagerduty.com/users/PXPGF42' },
        client: null,
        data: {
          id: 'PT4KHLK',
          type: 'incident',
          html_url: 'https://acme.pagerduty.com/incidents/PT4KHLK',
          number: 1234,
          status: type === 'incident.acknowledged' ? 'acknowledged' : 'triggered',
          incident_key: incidentKey,
          title: 'INC-1 invoices 404 (escalation level 1)',
          service: { id: 'PIJ90N7', type: 'service_reference', summary: 'Documents' },
        },
      },
    };
  }

  async function send(body: unknown, headers: Record<string, string> | 'sign' = 'sign', to: Harness = h): Promise<Sent> {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const signed = headers === 'sign' ? { 'x-pagerduty-signature': signPagerDuty(PD_SECRET, raw) } : headers;
    const res = await fetch(`${to.baseUrl}/webhooks/pagerduty`, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body: raw });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  const row = async (id: string) =>
    (await h.schema.pool.query(`SELECT status, declared_at, acknowledged_at, acknowledged_via FROM incidents WHERE id = $1`, [id])).rows[0];
  const acks = async (id: string) =>
    (await h.schema.pool.query(`SELECT actor, data FROM incident_events WHERE incident_id = $1 AND kind = 'incident.acknowledged'`, [id])).rows;
  const fired = async (id: string) =>
    (await h.schema.pool.query(`SELECT level FROM escalations WHERE incident_id = $1 ORDER BY level`, [id])).rows.map((r: any) => r.level as number);
  /** The dedup key the bot sent PagerDuty when level 1 paged it. */
  const dedupKeySent = (id: string) =>
    until(
      async () => pagerDuty.received.map((r) => JSON.parse(r.body)).find((b) => b.event_action === 'trigger' && String(b.dedup_key).endsWith(id))?.dedup_key,
      'the page sent to PagerDuty',
      10_000,
    ) as Promise<string>;

  it('acknowledges the incident our page opened: timeline via pagerduty by who, header updated, MTTA counted, the next level never fires', async () => {
    const { id, channel, declaredAt } = await declare('paged through PagerDuty');
    const key = await dedupKeySent(id);
    expect(key).toBe(`incident-bot-${id}`);

    const res = await send(event('incident.acknowledged', key));
    expect(res).toEqual({ status: 200, body: { outcome: 'acknowledged' } });
    const acked = await row(id);
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledged_via: 'pagerduty' });
    expect(await acks(id)).toEqual([{ actor: 'pagerduty:Earline Greenholt', data: { via: 'pagerduty', pagerDutyIncident: 'PT4KHLK' } }]);

    // The header is rendered again from what is stored: acknowledged, its Acknowledge button gone.
    const header = await h.slack.waitFor(() => (h.slack.messagesIn(channel).length >= 2 ? h.slack.messagesIn(channel)[0] : null), 'the header');
    const current = () => h.slack.messages.get(`${channel}/${header.ts}`)!;
    await h.slack.waitFor(() => JSON.stringify(current().blocks).includes('stopped: acknowledged'), 'the header to show the acknowledgement', 10_000);
    const blocks = JSON.stringify(current().blocks);
    expect(blocks).not.toContain('"incident.ack"');
    expect(blocks).not.toContain('not yet');

    // A responder acknowledged: MTTA counts it.
    const report = await h.runtime.deps.reports!.mttr({ since: declaredAt, until: new Date(declaredAt.getTime() + 1) }, []);
    expect(report.overall.mtta_seconds).toBeCloseTo((acked.acknowledged_at.getTime() - declaredAt.getTime()) / 1000, 2);

    // The ladder stopped at level 1.
    await sleep(Math.max(0, declaredAt.getTime() + LEVEL2_MS + 1_500 - Date.now()));
    expect(await fired(id)).toEqual([1]);
    expect(h.slack.messagesIn(ENG_INCIDENTS).filter((m) => m.metadata?.event_payload.incident_id === id)).toEqual([]);
  });

  it('records one acknowledgement for the same event delivered again and again, at once and later', async () => {
    const { id } = await declare('PagerDuty redelivers');
    const ack = event('incident.acknowledged', `incident-bot-${id}`);
    const first = await Promise.all([send(ack), send(ack), send(ack)]);
    expect(first.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(first.map((r) => r.body.outcome).sort()).toEqual(['acknowledged', 'unchanged', 'unchanged']);
    const before = await row(id);
    expect(await send(ack)).toEqual({ status: 200, body: { outcome: 'unchanged' } });
    // Another PagerDuty user acknowledging later takes nothing from the first.
    expect(await send(event('incident.acknowledged', `incident-bot-${id}`, { id: 'PSECOND', summary: 'Someone Else' }))).toEqual({
      status: 200,
      body: { outcome: 'unchanged' },
    });
    expect(await acks(id)).toEqual([{ actor: 'pagerduty:Earline Greenholt', data: expect.objectContaining({ via: 'pagerduty' }) }]);
    expect(await row(id)).toEqual(before);
  });

  it('refuses a missing or wrong signature (401), an oversized body (413) and a malformed one (400): nothing recorded', async () => {
    const { id } = await declare('forged acknowledgements');
    const ack = event('incident.acknowledged', `incident-bot-${id}`);
    const raw = JSON.stringify(ack);

    expect((await send(ack, {})).status).toBe(401);
    expect((await send(ack, { 'x-pagerduty-signature': signPagerDuty('not-the-secret-0123456789', raw) })).status).toBe(401);
    expect((await send(ack, { 'x-pagerduty-signature': 'v1=' })).status).toBe(401);
    // Signed, then changed on the way.
    const other = JSON.stringify(event('incident.acknowledged', `incident-bot-${id}`, { id: 'PEVE', summary: 'Eve' }));
    expect((await send(other, { 'x-pagerduty-signature': signPagerDuty(PD_SECRET, raw) })).status).toBe(401);

    const huge = event('incident.acknowledged', `incident-bot-${id}`, { id: 'PXPGF42', summary: 'x'.repeat(70 * 1024) });
    expect((await send(huge)).status).toBe(413);

    expect(await send('{"event": {')).toEqual({ status: 400, body: { error: 'the body is not JSON' } });
    expect((await send({ messages: [] })).status).toBe(400);
    const noIncident = { event: { ...ack.event, data: { incident_key: `incident-bot-${id}` } } };
    expect(await send(noIncident)).toEqual({
      status: 400,
      body: { error: 'not the expected shape', problems: ['event.data.id: Invalid input: expected string, received undefined'] },
    });

    expect(await row(id)).toMatchObject({ status: 'declared', acknowledged_at: null, acknowledged_via: null });
    expect(await acks(id)).toEqual([]);
  });

  it('changes nothing for an incident that is not ours, one we do not have, or another kind of event', async () => {
    const { id } = await declare('someone else’s page');
    for (const key of [null, 'disk-full-db-1', `incident-bot-${randomUUID()}`, `incident-bot-${id}-x`]) {
      expect(await send(event('incident.acknowledged', key))).toEqual({ status: 200, body: { outcome: 'not_ours' } });
    }
    for (const type of ['incident.triggered', 'incident.resolved', 'incident.annotated', 'pagey.ping']) {
      expect(await send(event(type, `incident-bot-${id}`))).toEqual({ status: 200, body: { outcome: 'ignored' } });
    }
    expect(await row(id)).toMatchObject({ status: 'declared', acknowledged_at: null });
    expect(await acks(id)).toEqual([]);
  });

  it('leaves an ended incident as it ended', async () => {
    const { id, channel } = await declare('fixed before anyone in PagerDuty looked');
    expect((await h.command('resolve --validated rolled back', ALICE, channel)).body.text).toMatch(/resolved/);
    expect(await send(event('incident.acknowledged', `incident-bot-${id}`))).toEqual({ status: 200, body: { outcome: 'unchanged' } });
    expect(await row(id)).toMatchObject({ status: 'resolved', acknowledged_at: null, acknowledged_via: null });
    expect(await acks(id)).toEqual([]);
  });

  it('answers 404 on a bot without PAGERDUTY_WEBHOOK_SECRET', async () => {
    const bare = await startHarness({ share: h, runbooksDir: dir });
    try {
      const res = await send(event('incident.acknowledged', `incident-bot-${randomUUID()}`), 'sign', bare);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatch(/PAGERDUTY_WEBHOOK_SECRET/);
    } finally {
      await bare.stop();
    }
  });
});
