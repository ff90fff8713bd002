import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { alice, INCIDENTS_CHANNEL } from '../support/teams-activities';
import { cardText } from '../support/teams-cards';

const TOKEN = 'alerts-token-teams-0123456789abcdef012345';

/** Teams only: a routed alert opens its incident as a new thread of TEAMS_INCIDENT_CHANNEL_ID. */
describe('alerts in, Teams only', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeamsHarness({ env: { ALERTS_TOKEN: TOKEN } });
    // As the README's set-up says: Teams must have talked to the bot once, or it knows no service URL to post to.
    expect((await h.say('help', alice, { channel: INCIDENTS_CHANNEL })).status).toBe(200);
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  const send = (status: 'firing' | 'resolved') =>
    fetch(new URL('/alerts/alertmanager', h.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        version: '4',
        status,
        commonLabels: {},
        alerts: [
          {
            status,
            labels: { alertname: 'StorageAccessDenied', bucket: 'invoices' },
            annotations: { summary: 'Invoices bucket refuses reads' },
            startsAt: '2026-03-01T03:00:00Z',
            fingerprint: 't-1',
          },
        ],
      }),
    });

  it('declares the routed runbook in a new thread of the incidents channel, once however often it fires, and says there when it resolved', async () => {
    for (let i = 0; i < 3; i++) expect((await send('firing')).status).toBe(200);
    const { rows } = await h.schema.pool.query(`SELECT id, platform, playbook_id, title, declared_by, impact_started_at FROM incidents`);
    expect(rows).toEqual([
      expect.objectContaining({
        platform: 'teams',
        playbook_id: 'storage-permissions',
        title: 'Invoices bucket refuses reads',
        declared_by: 'alert:alertmanager',
        impact_started_at: new Date('2026-03-01T03:00:00Z'),
      }),
    ]);
    const thread = await h.connector.waitFor(
      () => [...h.connector.created.values()].find((c) => c.id.startsWith(`${INCIDENTS_CHANNEL.id};messageid=`)),
      10_000,
      'the incident thread',
    );
    const header = await h.connector.waitFor(() => h.connector.cards(thread.id)[0], 10_000, 'the header card');
    expect(cardText(header)).toContain('Invoices bucket refuses reads');

    expect((await send('resolved')).status).toBe(200);
    const resolvedNotice = await h.connector.waitFor(
      () => h.connector.messages(thread.id).find((m) => /alert resolved/i.test(m.activity.text ?? '')),
      10_000,
      'the resolved notice',
    );
    expect(resolvedNotice.activity.text).toContain('run the quick validation, then resolve');
    expect((await h.schema.pool.query(`SELECT status FROM incidents`)).rows).toEqual([{ status: 'declared' }]);
    expect([...h.connector.created.values()].filter((c) => c.id.startsWith(`${INCIDENTS_CHANNEL.id};messageid=`))).toHaveLength(1);
  });
});
