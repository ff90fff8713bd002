import { startConsoleHarness, type ConsoleHarness } from '../support/console-harness';
import { until } from '../support/wait';

const TOKEN = 'alerts-token-0123456789abcdef0123456789';

/** With neither Slack nor Teams configured, an alert declares on the console and speaks there. */
describe('alerts in, console only', () => {
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsoleHarness({ env: { ALERTS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await c?.stop();
  });

  const send = (status: 'firing' | 'resolved') =>
    fetch(`${c.baseUrl}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        version: '4',
        status,
        commonLabels: {},
        alerts: [
          { status, labels: { alertname: 'StorageAccessDenied', bucket: 'invoices' }, annotations: {}, startsAt: '2026-03-01T03:00:00Z', fingerprint: 'c-1' },
        ],
      }),
    });

  it('declares the routed runbook on the console, and says there once that the alert resolved', async () => {
    expect((await send('firing')).status).toBe(200);
    const q = () => c.schema.pool.query(`SELECT i.* FROM alerts a JOIN incidents i ON i.id = a.incident_id WHERE a.fingerprint = 'c-1'`);
    const incident = (await q()).rows[0];
    // No summary annotation: the title is the alertname.
    expect(incident).toEqual(expect.objectContaining({ platform: 'web', playbook_id: 'storage-permissions', title: 'StorageAccessDenied' }));
    await until(async () => (await q()).rows[0].channel_id, 'the console room', 10_000);
    expect((await send('resolved')).status).toBe(200);
    expect((await send('resolved')).status).toBe(200);
    const said = await until(
      async () => {
        const { rows } = await c.schema.pool.query(`SELECT text FROM console_messages WHERE incident_id = $1 AND key = 'alert_resolved'`, [incident.id]);
        return rows.length > 0 ? rows : null;
      },
      'the resolved notice',
      10_000,
    );
    expect(said).toHaveLength(1);
    expect(JSON.stringify(said[0].text)).toContain('run the quick validation, then resolve');
    expect((await q()).rows[0].status).toBe('declared');
  });
});
