import { FakeBraiFlow } from '../support/fake-braiflow';
import { startHarness, type Harness } from '../support/harness';
import { until } from '../support/wait';

const ALICE = 'UALICE01'; // declares, so she may resolve; not an admin
const ADMIN = 'UADMN004'; // an admin through the INCIDENT_ADMINS user group
const TOKEN = 'std-user-token-test-0123456789';

/** Validate, then resolve, in Slack: the Resolve button's modal and the typed command. */
describe('resolving asks for the quick validation (Slack)', () => {
  let api: FakeBraiFlow;
  let h: Harness;

  beforeAll(async () => {
    api = await new FakeBraiFlow().start();
    api.json('GET', '/api/v1/me', 200, { id: 'u_support', role: 'agent' });
    api.pdf('/api/v1/invoices/inv_smoke_0001/pdf');
    h = await startHarness({
      admins: 'SADMINS1',
      env: { BRAIFLOW_API_URL: api.url, BRAIFLOW_STANDARD_USER_TOKEN: TOKEN, PROBE_ALLOWED_HOSTS: api.host },
    });
    h.slack.usergroups.set('SADMINS1', [ADMIN]);
  });
  afterAll(async () => {
    await h.stop();
    await api.stop();
  });

  async function declare(summary: string) {
    const res = await h.command(`pdf-404 ${summary}`, ALICE);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    const row = (await h.schema.pool.query('SELECT id, number FROM incidents WHERE channel_id = $1', [channel])).rows[0];
    return { channel, id: row.id as string, number: row.number as number };
  }

  const incident = async (id: string) => (await h.schema.pool.query('SELECT * FROM incidents WHERE id = $1', [id])).rows[0];

  /** The pinned header, found by the metadata the bot posts it with. */
  const header = (channel: string, id: string) =>
    h.slack.waitFor(
      () => h.slack.messagesIn(channel).find((m) => m.metadata?.event_payload?.incident_id === id && m.metadata?.event_payload?.kind === 'header'),
      'the header',
    );

  /** Clicks the header's Resolve and returns the modal it opened. */
  async function openModal(user: string, channel: string, id: string) {
    const msg = await header(channel, id);
    const button = msg.blocks.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'incident.resolve');
    const before = h.slack.views.length;
    expect(await h.click(user, channel, msg.ts, 'incident.resolve', button.value)).toBe(200);
    return (await h.slack.waitFor(() => h.slack.views.slice(before).find((v) => v.view.callback_id === 'incident.resolve'), 'the resolve modal')).view;
  }

  const ticked = (modal: any, numbers: number[]) => {
    const options = modal.blocks.find((b: any) => b.block_id === 'checks').element.options;
    return { checks: { checks: { type: 'checkboxes', selected_options: options.filter((o: any) => numbers.includes(Number(o.value))) } } };
  };
  const resolution = (text: string) => ({ resolution: { resolution: { type: 'plain_text_input', value: text } } });

  it('opens a modal with one checkbox per check; submitting all of them resolves, records the checks and re-runs their probes', async () => {
    const { channel, id } = await declare('invoices return 404');
    const modal = await openModal(ALICE, channel, id);
    const options = modal.blocks.find((b: any) => b.block_id === 'checks').element.options;
    expect(options.map((o: any) => o.text.text)).toEqual([
      '1. /api/v1/me as standard-user returns 200',
      '2. GET /api/v1/invoices/inv_smoke_0001/pdf as standard-user returns 200',
      '3. INV-SMOKE-0001 downloads in the UI as support-smoke, including via the …',
      '4. pdf-render queue waiting <= 200 and failed <= 20',
    ]);
    // A check too long for a checkbox goes on in its description.
    expect(options[2].description.text).toBe('…emailed link');
    expect(JSON.stringify(modal.blocks)).toContain('Resolving runs these checks again: API /me as standard user, Smoke invoice PDF, pdf-render queue depth.');
    const meBefore = api.seen.filter((r) => r.path === '/api/v1/me').length;

    const res = await h.submitView(ALICE, modal, { ...ticked(modal, [1, 2, 3, 4]), ...resolution('rolled back the storage key change') });
    expect(res.status).toBe(200);
    expect(res.body).toBeNull(); // acked with nothing: the modal closes
    const row = await incident(id);
    expect(row).toMatchObject({
      status: 'resolved',
      resolution: 'rolled back the storage key change',
      validation_confirmed: true,
      validated_checks: [1, 2, 3, 4],
    });
    const event = (await h.schema.pool.query(`SELECT data FROM incident_events WHERE incident_id = $1 AND kind = 'incident.resolved'`, [id])).rows[0];
    expect(event.data.validation).toEqual({ confirmed: true, checks: [1, 2, 3, 4], unconfirmed: [] });

    // The probes the checks name run again, and their results show on the header.
    await h.slack.waitFor(() => api.seen.filter((r) => r.path === '/api/v1/me').length > meBefore, 'BraiFlow called again for /api/v1/me');
    const rerun = await h.schema.pool.query(
      `SELECT data FROM incident_events WHERE incident_id = $1 AND kind = 'probe.requested' AND data->>'via' = 'validation'`,
      [id],
    );
    expect(rerun.rows[0].data.probes).toEqual(['me-standard-user', 'smoke-invoice-pdf', 'pdf-render-queue']);
    const runs = `SELECT count(*)::int AS n FROM probe_runs r JOIN incidents i ON i.id = r.incident_id
                  WHERE i.id = $1 AND r.queued_at = i.resolved_at AND r.status <> 'queued'`;
    await until(async () => (await h.schema.pool.query(runs, [id])).rows[0].n === 3, 'the re-run checks to finish', 15_000);
    const shown = await until(
      async () => {
        const text = JSON.stringify((await header(channel, id)).blocks);
        return text.includes('Resolved') && text.includes('✅ _API /me as standard user_') && !text.includes('running…') ? text : null;
      },
      'the header with the resolve and the checks',
      10_000,
    );
    expect(shown).toContain('rolled back the storage key change');
  });

  it('refuses a non-admin who leaves a check unticked, naming it in the modal; an admin may, and that is recorded', async () => {
    const { channel, id } = await declare('pdf downloads fail');
    const modal = await openModal(ALICE, channel, id);
    const refused = await h.submitView(ALICE, modal, ticked(modal, [1, 2, 4]));
    expect(refused.status).toBe(200);
    expect(refused.body.response_action).toBe('errors');
    expect(refused.body.errors.checks).toMatch(
      /is not resolved: confirm every quick validation check first\. Not confirmed: 3\. INV-SMOKE-0001 downloads in the UI/,
    );
    expect(refused.body.errors.checks).toContain('/incident resolve --validated <summary>');
    expect((await incident(id)).status).toBe('declared');

    const adminModal = await openModal(ADMIN, channel, id);
    const res = await h.submitView(ADMIN, adminModal, ticked(adminModal, [1, 2, 4]));
    expect(res.body).toBeNull();
    expect(await incident(id)).toMatchObject({ status: 'resolved', validation_confirmed: false, validated_checks: [1, 2, 4] });
    const event = (await h.schema.pool.query(`SELECT actor, data FROM incident_events WHERE incident_id = $1 AND kind = 'incident.resolved'`, [id])).rows[0];
    expect(event).toEqual({ actor: ADMIN, data: { summary: null, validation: { confirmed: false, checks: [1, 2, 4], unconfirmed: [3] } } });
  });

  it('answers a typed resolve with the checks and resolves nothing; resolve --validated resolves with every check confirmed', async () => {
    const { channel, id, number } = await declare('emailed links 404');
    const asked = await h.command('resolve purged the cache', ALICE, channel);
    expect(asked.body.response_type).toBe('ephemeral');
    expect(asked.body.text).toContain(`Before resolving INC-${number}, confirm its runbook's quick validation`);
    expect(asked.body.text).toContain('\n3. INV-SMOKE-0001 downloads in the UI as support-smoke, including via the emailed link');
    expect(asked.body.text).toContain('`/incident resolve --validated &lt;summary&gt;`');
    expect((await incident(id)).status).toBe('declared');

    const done = await h.command('resolve --validated purged the cache', ALICE, channel);
    expect(done.body.text).toBe(`INC-${number} resolved, with all 4 quick validation checks confirmed.`);
    expect(await incident(id)).toMatchObject({
      status: 'resolved',
      resolution: 'purged the cache',
      validation_confirmed: true,
      validated_checks: [1, 2, 3, 4],
    });
  });
});
