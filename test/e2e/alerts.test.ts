import { startHarness, type Harness } from '../support/harness';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/webhooks/signature';
import { sleep, until } from '../support/wait';

const TOKEN = 'alerts-token-0123456789abcdef0123456789';
const SECRET = 'alerts-secret-0123456789abcdef';
const UNROUTED = 'CALERTS01';
const ENV = { ALERTS_TOKEN: TOKEN, ALERTS_SECRET: SECRET, ALERTS_UNROUTED_CHANNEL: UNROUTED };
const STARTS_AT = '2026-03-01T03:12:00Z';

function alertmanager(status: 'firing' | 'resolved', labels: Record<string, string>, fingerprint: string, extra: Record<string, unknown> = {}) {
  return {
    version: '4',
    groupKey: '{}:{alertname="x"}',
    status,
    receiver: 'incident-bot',
    groupLabels: {},
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: [
      {
        status,
        labels,
        annotations: { summary: `Invoice PDFs 404 (${fingerprint})` },
        startsAt: STARTS_AT,
        endsAt: status === 'resolved' ? '2026-03-01T03:41:00Z' : '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example:9090/graph?g0.expr=x',
        fingerprint,
        ...extra,
      },
    ],
  };
}

async function post(h: Harness, path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const toAlertmanager = (h: Harness, body: unknown, token = TOKEN) =>
  post(h, '/alerts/alertmanager', typeof body === 'string' ? body : JSON.stringify(body), { authorization: `Bearer ${token}` });

function toGeneric(h: Harness, body: unknown, opts: { secret?: string; timestamp?: number } = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return post(h, '/alerts/generic', raw, { [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signWebhook(opts.secret ?? SECRET, ts, raw) });
}

describe('alerts in', () => {
  let h: Harness;
  let h2: Harness; // a second bot on the same schema, Redis prefix and Slack

  beforeAll(async () => {
    h = await startHarness({ env: ENV });
    h.slack.addChannel(UNROUTED, 'alerts');
    h2 = await startHarness({ env: ENV, share: h });
  });
  afterAll(async () => {
    await h2?.stop();
    await h?.stop();
  });

  const count = async (sql: string, params: unknown[] = []) => Number((await h.schema.pool.query(sql, params)).rows[0].n);
  const incidentOf = async (fingerprint: string) =>
    (await h.schema.pool.query(`SELECT i.* FROM alerts a JOIN incidents i ON i.id = a.incident_id WHERE a.fingerprint = $1`, [fingerprint])).rows[0];

  it('declares the runbook an Alertmanager alert routes to, on Slack, with its labels, link and start on the timeline', async () => {
    const res = await toAlertmanager(h, alertmanager('firing', { alertname: 'InvoicePdf404Rate', severity: 'critical' }, 'fp-declare'));
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([expect.objectContaining({ fingerprint: 'fp-declare', outcome: 'declared' })]);
    const i = await incidentOf('fp-declare');
    expect(i).toEqual(
      expect.objectContaining({
        playbook_id: 'pdf-404',
        platform: 'slack',
        declared_by: 'alert:alertmanager',
        commander: null,
        severity: 1, // the alert's severity label: critical
        title: 'Invoice PDFs 404 (fp-declare)',
      }),
    );
    expect(i.impact_started_at.toISOString()).toBe('2026-03-01T03:12:00.000Z');
    const { rows } = await h.schema.pool.query(`SELECT data FROM incident_events WHERE incident_id = $1 AND kind = 'alert.received'`, [i.id]);
    expect(rows).toEqual([
      {
        data: expect.objectContaining({
          source: 'alertmanager',
          fingerprint: 'fp-declare',
          labels: { alertname: 'InvoicePdf404Rate', severity: 'critical' },
          url: 'http://prometheus.example:9090/graph?g0.expr=x',
          startsAt: '2026-03-01T03:12:00.000Z',
        }),
      },
    ]);
    // Set up like /incident's channel, with nobody to invite.
    const channel = await until(async () => (await incidentOf('fp-declare')).channel_id, 'the incident channel', 10_000);
    await h.slack.waitFor(() => h.slack.messagesIn(channel).length >= 2, 'header and checklist');
    expect(h.slack.callsOf('conversations.invite').filter((c) => c.args.channel === channel)).toEqual([]);

    // No request told the alert's incident its workspace: it is still listed, and its own buttons work in its channel.
    const listed = await h.command('list', 'UONCALL1');
    expect(JSON.stringify(listed.body)).toContain(`INC-${i.number}`);
    h.slack.channels.get(channel)!.members.add('UONCALL1');
    const header = h.slack.messagesIn(channel).find((m) => m.metadata?.event_type === 'braiflow_incident_message' && m.blocks[0]?.type === 'header')!;
    const ack = header.blocks.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'incident.ack');
    expect(await h.click('UONCALL1', channel, header.ts, ack.action_id, ack.value)).toBe(200);
    await until(async () => (await incidentOf('fp-declare')).acknowledged_via === 'button', 'the acknowledgement', 5_000);
  });

  it("never takes an alert's start after the declaration: a source's clock an hour ahead leaves the impact start unset, a minute ahead is the declaration", async () => {
    const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();
    const labels = { alertname: 'InvoicePdf404Rate', env: 'skew-test' };
    await toAlertmanager(h, alertmanager('firing', labels, 'fp-future', { startsAt: ahead(3_600_000) }));
    await toAlertmanager(h, alertmanager('firing', { ...labels, env: 'skew-test-2' }, 'fp-skew', { startsAt: ahead(60_000) }));
    const future = await incidentOf('fp-future');
    expect(future.impact_started_at).toBeNull();
    // What the alert said is still on its timeline.
    const { rows } = await h.schema.pool.query(`SELECT data->>'startsAt' AS s FROM incident_events WHERE incident_id = $1 AND kind = 'alert.received'`, [
      future.id,
    ]);
    expect(new Date(rows[0].s).getTime()).toBeGreaterThan(Date.now());
    const skewed = await incidentOf('fp-skew');
    expect(skewed.impact_started_at.toISOString()).toBe(skewed.declared_at.toISOString());
  });

  it('the same alert 10 times, through two bots at once, is one incident that counts the repeats', async () => {
    const body = alertmanager('firing', { alertname: 'PdfRenderFailed', service: 'documents-api' }, 'fp-ten');
    const results = await Promise.all(Array.from({ length: 10 }, (_, n) => toAlertmanager(n % 2 ? h2 : h, body)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await count(`SELECT count(*) AS n FROM incidents WHERE declared_by = 'alert:alertmanager' AND title LIKE '%fp-ten%'`)).toBe(1);
    const i = await incidentOf('fp-ten');
    expect(i.playbook_id).toBe('pdf-404');
    expect(await count(`SELECT count(*) AS n FROM incident_events WHERE incident_id = $1 AND kind = 'alert.repeated'`, [i.id])).toBeLessThanOrEqual(1);
    // A later repeat, once things settled, is counted and adds no incident and no second event.
    for (let n = 0; n < 3; n++) expect((await toAlertmanager(h2, body)).body.results[0].outcome).toBe('repeated');
    expect(await count(`SELECT count(*) AS n FROM incident_events WHERE incident_id = $1 AND kind = 'alert.repeated'`, [i.id])).toBe(1);
    expect(await count(`SELECT repeats AS n FROM alerts WHERE fingerprint = 'fp-ten'`)).toBeGreaterThanOrEqual(3);
    expect(await count(`SELECT count(*) AS n FROM incidents WHERE title LIKE '%fp-ten%'`)).toBe(1);
  });

  it('resolved: one alert.resolved event and one message in the channel; the incident stays open', async () => {
    const labels = { alertname: 'InvoicePdf404Rate', env: 'resolve-test' };
    await toAlertmanager(h, alertmanager('firing', labels, 'fp-resolve'));
    const channel = await until(async () => (await incidentOf('fp-resolve'))?.channel_id, 'the incident channel', 10_000);
    const resolved = alertmanager('resolved', labels, 'fp-resolve');
    const answers = await Promise.all([toAlertmanager(h, resolved), toAlertmanager(h2, resolved), toAlertmanager(h, resolved)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const notice = await h.slack.waitFor(() => h.slack.messagesIn(channel).find((m) => /alert resolved at/i.test(m.text)), 'the resolved notice');
    expect(notice.text).toMatch(/quick validation, then resolve/);
    await sleep(1_000); // time for a second notice, if one were queued
    expect(h.slack.messagesIn(channel).filter((m) => /alert resolved at/i.test(m.text))).toHaveLength(1);
    const i = await incidentOf('fp-resolve');
    expect(i.status).toBe('declared');
    expect(i.resolved_at).toBeNull();
    expect(await count(`SELECT count(*) AS n FROM incident_events WHERE incident_id = $1 AND kind = 'alert.resolved'`, [i.id])).toBe(1);
  });

  it('takes a signed generic alert: routes it, with its severity', async () => {
    const res = await toGeneric(h, {
      fingerprint: 'gen-1',
      status: 'firing',
      title: 'Workflow API 5xx',
      severity: 3,
      labels: { alertname: 'WorkflowApi5xxRate' },
    });
    expect(res.status).toBe(200);
    const i = await incidentOf('gen-1');
    expect(i).toEqual(expect.objectContaining({ playbook_id: 'workflow-500', severity: 3, declared_by: 'alert:generic', title: 'Workflow API 5xx' }));
  });

  it('refuses a bad token, a bad or stale signature, an oversized or malformed body, and records nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM incidents`);
    const alertsBefore = await count(`SELECT count(*) AS n FROM alerts`);
    const body = alertmanager('firing', { alertname: 'InvoicePdf404Rate' }, 'fp-refused');
    expect((await toAlertmanager(h, body, 'wrong-token-0123456789abcdef0123456789')).status).toBe(401);
    expect((await post(h, '/alerts/alertmanager', JSON.stringify(body), {})).status).toBe(401);
    const generic = { fingerprint: 'gen-refused', status: 'firing', title: 'x', labels: { alertname: 'WorkflowApi5xxRate' } };
    expect((await toGeneric(h, generic, { secret: 'another-secret-0123456789' })).status).toBe(401);
    expect((await toGeneric(h, generic, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect((await post(h, '/alerts/generic', JSON.stringify(generic), {})).status).toBe(401);
    const huge = alertmanager('firing', { alertname: 'InvoicePdf404Rate' }, 'fp-huge', { annotations: { summary: 'x'.repeat(300 * 1024) } });
    expect((await toAlertmanager(h, huge)).status).toBe(413);
    expect((await toAlertmanager(h, '{"alerts": [')).status).toBe(400);
    expect((await toAlertmanager(h, { version: '4', alerts: [{ status: 'burning', labels: {} }] })).status).toBe(400);
    expect((await toGeneric(h, { fingerprint: 'gen-bad', status: 'firing' })).status).toBe(400);
    const invisible = { fingerprint: 'gen-invisible', status: 'firing', title: '\u200b\u200b', labels: { alertname: 'WorkflowApi5xxRate' } };
    expect((await toGeneric(h, invisible)).status).toBe(422);
    expect(await count(`SELECT count(*) AS n FROM incidents`)).toBe(before);
    expect(await count(`SELECT count(*) AS n FROM alerts`)).toBe(alertsBefore);
  });

  it('offers an alert no runbook routes, once, with every runbook to declare it as', async () => {
    const body = alertmanager('firing', { alertname: 'DiskAlmostFull', instance: 'db-1' }, 'fp-unrouted');
    const first = await toAlertmanager(h, body);
    expect(first.body.results[0].outcome).toBe('unrouted');
    await Promise.all([toAlertmanager(h, body), toAlertmanager(h2, body)]);
    const offer = await h.slack.waitFor(() => h.slack.messagesIn(UNROUTED).find((m) => m.text.includes('fp-unrouted')), 'the offer');
    for (const id of ['pdf-404', 'queue-failure', 'storage-permissions', 'workflow-500']) expect(offer.text).toContain(`/incident ${id}`);
    await sleep(500);
    expect(h.slack.messagesIn(UNROUTED).filter((m) => m.text.includes('fp-unrouted'))).toHaveLength(1);
    expect((await h.schema.pool.query(`SELECT incident_id, unrouted_posted_at FROM alerts WHERE fingerprint = 'fp-unrouted'`)).rows).toEqual([
      { incident_id: null, unrouted_posted_at: expect.any(Date) },
    ]);
  });

  it('declares an unrouted alert as the runbook whose button is clicked, once however often it is clicked', async () => {
    const body = alertmanager('firing', { alertname: 'CpuThrottled', pod: 'api-7' }, 'fp-button');
    expect((await toAlertmanager(h, body)).body.results[0].outcome).toBe('unrouted');
    const offer = await h.slack.waitFor(() => h.slack.messagesIn(UNROUTED).find((m) => m.text.includes('fp-button')), 'the offer');
    const buttons = offer.blocks.find((b: any) => b.type === 'actions').elements;
    expect(buttons.map((b: any) => b.text.text)).toEqual([
      // The general runbook is offered too: an alert no runbook routes is what it is for.
      'Declare as general',
      'Declare as pdf-404',
      'Declare as queue-failure',
      'Declare as storage-permissions',
      'Declare as workflow-500',
    ]);
    const queue = buttons.find((b: any) => b.text.text === 'Declare as queue-failure');
    const clicks = await Promise.all([
      h.click('UALICE01', UNROUTED, offer.ts, queue.action_id, queue.value),
      h2.click('UBOB0002', UNROUTED, offer.ts, queue.action_id, queue.value),
    ]);
    expect(clicks).toEqual([200, 200]);
    expect(await count(`SELECT count(*) AS n FROM incidents WHERE title LIKE '%fp-button%'`)).toBe(1);
    const i = await incidentOf('fp-button');
    expect(i).toEqual(expect.objectContaining({ playbook_id: 'queue-failure', platform: 'slack' }));
    expect(['UALICE01', 'UBOB0002']).toContain(i.declared_by);
    expect(i.commander).toBe(i.declared_by);
    expect(await count(`SELECT count(*) AS n FROM incident_events WHERE incident_id = $1 AND kind = 'alert.received'`, [i.id])).toBe(1);
    // The declarer is brought into the channel, and the alert, firing again, is a repeat of it.
    const channel = await until(async () => (await incidentOf('fp-button')).channel_id, 'the incident channel', 10_000);
    await h.slack.waitFor(() => h.slack.channels.get(channel)?.members.has(i.declared_by), 'the declarer invited');
    // Its own buttons work in its channel, as on any incident declared in this workspace.
    const header = await h.slack.waitFor(() => h.slack.messagesIn(channel)[0], 'the header');
    expect(await h.click(i.declared_by, channel, header.ts, 'incident.ack', i.id)).toBe(200);
    await until(async () => (await incidentOf('fp-button')).acknowledged_at, 'the acknowledgement', 10_000);
    expect((await toAlertmanager(h, body)).body.results[0].outcome).toBe('repeated');
  });

  it('answers 404 on a bot without ALERTS_TOKEN / ALERTS_SECRET', async () => {
    const bare = await startHarness({ share: h });
    try {
      expect((await toAlertmanager(bare, alertmanager('firing', { alertname: 'InvoicePdf404Rate' }, 'fp-404'))).status).toBe(404);
      expect((await toGeneric(bare, { fingerprint: 'gen-404', status: 'firing', title: 'x' })).status).toBe(404);
    } finally {
      await bare.stop();
    }
  });
});
