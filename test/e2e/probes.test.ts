import { FakeBraiFlow } from '../support/fake-braiflow';
import { startHarness, type Harness } from '../support/harness';

const ALICE = 'UALICE01';
const TOKEN = 'std-user-token-test-0123456789';

/** The runbook's checks run by themselves on declare, as a standard user, and land on the header. */
describe('probes', () => {
  let api: FakeBraiFlow;
  let h: Harness;

  beforeAll(async () => {
    api = await new FakeBraiFlow().start();
    h = await startHarness({
      env: { BRAIFLOW_API_URL: api.url, BRAIFLOW_STANDARD_USER_TOKEN: TOKEN, PROBE_ALLOWED_HOSTS: api.host },
    });
  });
  afterAll(async () => {
    await h.stop();
    await api.stop();
  });

  async function declare(summary: string) {
    const res = await h.command(`pdf-404 ${summary}`, ALICE);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    const number = Number(/^INC-(\d+)/.exec(res.body.text)![1]);
    return { channel, number };
  }

  /** The pinned header once every check of the incident has a result. */
  async function settledHeader(channel: string) {
    return h.slack.waitFor(
      () => {
        const header = h.slack.messagesIn(channel)[0];
        const text = JSON.stringify(header?.blocks ?? []);
        return text.includes('*Checks*') && !text.includes('running…') && !text.includes('not run yet') ? header : null;
      },
      'every check to finish',
      15_000,
    );
  }

  it('calls /api/v1/me as the standard user on declare, and shows each check with its result on the header', async () => {
    api.json('GET', '/api/v1/me', 200, { id: 'u_support', role: 'agent' });
    const { channel, number } = await declare('invoices return 404');
    const header = await settledHeader(channel);
    const checks = header.blocks.find((b) => b.text?.text?.startsWith('*Checks*')).text.text as string;
    expect(checks).toMatch(/✅ _API \/me as standard user_: GET \/api\/v1\/me as standard-user: 200 in \d+ ms, role=agent/);
    expect(checks).toMatch(/❌ _Smoke invoice PDF_: GET \/api\/v1\/invoices\/inv_smoke_0001\/pdf as standard-user: 404 \(expected 200\)/);
    expect(checks).toMatch(/⚠️ _pdf-render queue depth_: pdf-render queue depth: BRAIFLOW_QUEUE_REDIS_URL is not set/);
    expect(checks).toMatch(
      /⚠️ _braiflow-documents list as app_: braiflow-documents list as app: BRAIFLOW_S3_ACCESS_KEY_ID and BRAIFLOW_S3_SECRET_ACCESS_KEY are not set/,
    );
    expect(api.seen.filter((r) => r.path === '/api/v1/me')[0]!.authorization).toBe(`Bearer ${TOKEN}`);

    const { rows } = await h.schema.pool.query(
      `SELECT r.probe_id, r.status FROM probe_runs r JOIN incidents i ON i.id = r.incident_id WHERE i.number = $1 ORDER BY r.probe_id`,
      [number],
    );
    expect(rows).toEqual([
      { probe_id: 'documents-bucket-list', status: 'error' },
      { probe_id: 'me-standard-user', status: 'pass' },
      { probe_id: 'pdf-render-queue', status: 'error' },
      { probe_id: 'smoke-invoice-pdf', status: 'fail' },
    ]);
    const events = await h.schema.pool.query(
      `SELECT e.kind, e.data->>'probe' AS probe FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.number = $1 AND e.kind LIKE 'probe.%' ORDER BY e.kind, probe`,
      [number],
    );
    expect(events.rows.map((r) => `${r.kind} ${r.probe ?? ''}`.trim())).toEqual([
      'probe.finished documents-bucket-list',
      'probe.finished me-standard-user',
      'probe.finished pdf-render-queue',
      'probe.finished smoke-invoice-pdf',
      'probe.requested',
    ]);
  });

  it('never writes the token anywhere: not in Postgres, not in any Slack message or reply', async () => {
    const dump = await h.schema.pool.query(
      `SELECT (SELECT json_agg(r) FROM probe_runs r)::text AS runs, (SELECT json_agg(e) FROM incident_events e)::text AS events, (SELECT json_agg(o) FROM outbox o)::text AS outbox`,
    );
    expect(JSON.stringify(dump.rows)).not.toContain(TOKEN);
    expect(JSON.stringify([...h.slack.messages.values(), h.slack.replies, h.slack.calls])).not.toContain(TOKEN);
  });

  it('flags a standard-user token that turns out to be an admin: the check proves nothing for regular users', async () => {
    api.json('GET', '/api/v1/me', 200, { id: 'u_root', role: 'admin' });
    const { channel } = await declare('admin token');
    const header = await settledHeader(channel);
    expect(JSON.stringify(header.blocks)).toContain('the credential is an admin (role=admin): this check proves nothing for regular users');
  });

  it('runs one check again from /incident probe and from its button, and says which checks exist for a typo', async () => {
    api.json('GET', '/api/v1/me', 200, { id: 'u_support', role: 'agent' });
    const { channel, number } = await declare('run again');
    await settledHeader(channel);
    const count = async () =>
      (
        await h.schema.pool.query(
          `SELECT count(*)::int AS n FROM probe_runs r JOIN incidents i ON i.id = r.incident_id WHERE i.number = $1 AND probe_id = 'me-standard-user'`,
          [number],
        )
      ).rows[0].n;
    expect(await count()).toBe(1);
    const res = await h.command('probe me-standard-user', ALICE, channel);
    expect(res.body.text).toBe(`Running me-standard-user on INC-${number}: results appear on the pinned header and the checklist.`);
    const typo = await h.command('probe me-standrd-user', ALICE, channel);
    expect(typo.body.text).toMatch(
      /has no check "me-standrd-user"\. Its checks: me-standard-user, smoke-invoice-pdf, pdf-render-queue, documents-bucket-list\./,
    );

    const checklist = h.slack.messagesIn(channel)[1]!;
    const runButton = checklist.blocks.flatMap((b) => b.elements ?? []).find((e: any) => e.action_id?.startsWith('probe.me-standard-user'));
    expect(runButton.text.text).toBe('Run probe');
    expect(await h.click(ALICE, channel, checklist.ts, runButton.action_id, runButton.value)).toBe(200);
    for (const deadline = Date.now() + 10_000; (await count()) < 3 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toBe(3);
  });
});

describe('probes kept to the hosts they may reach', () => {
  let api: FakeBraiFlow;
  let h: Harness;
  beforeAll(async () => {
    api = await new FakeBraiFlow().start();
    // No PROBE_ALLOWED_HOSTS: only the API host, and only if it is public. 127.0.0.1 is not.
    h = await startHarness({ env: { BRAIFLOW_API_URL: api.url, BRAIFLOW_STANDARD_USER_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await h.stop();
    await api.stop();
  });

  it('refuses an API on a private address unless it is listed, and the API receives nothing', async () => {
    const res = await h.command('pdf-404 private api', ALICE);
    const number = Number(/^INC-(\d+)/.exec(res.body.text)![1]);
    let rows: Array<{ status: string; reason: string }> = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      rows = (
        await h.schema.pool.query(
          `SELECT r.status, r.reason FROM probe_runs r JOIN incidents i ON i.id = r.incident_id WHERE i.number = $1 AND r.probe_id = 'me-standard-user' AND r.status <> 'queued'`,
          [number],
        )
      ).rows;
      if (rows.length > 0) break;
    }
    expect(rows).toEqual([{ status: 'error', reason: expect.stringMatching(/^GET \/api\/v1\/me as standard-user: blocked: /) }]);
    expect(rows[0]!.reason).toContain('PROBE_ALLOWED_HOSTS');
    expect(api.seen).toEqual([]);
  });
});
