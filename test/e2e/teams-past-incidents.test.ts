import { alice, GENERAL_CHANNEL, INCIDENTS_CHANNEL, TENANT_ID } from '../support/teams-activities';
import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { seedPastIncident } from '../support/past-incidents';

jest.setTimeout(60_000);

describe('memory of past incidents in Teams', () => {
  let h: TeamsHarness;
  let past: { id: string; number: number };
  let otherTenant: { id: string; number: number };
  beforeAll(async () => {
    h = await startTeamsHarness();
    past = await seedPastIncident(h.schema.pool, {
      platform: 'teams',
      workspace: TENANT_ID,
      class: 'pdf',
      runbook: 'pdf-404',
      title: 'invoice PDFs return 404 <at>Everyone</at>',
      daysAgo: 6,
      cause: 'storage key rotated without re-rendering',
      resolution: 're-rendered the PDFs',
    });
    otherTenant = await seedPastIncident(h.schema.pool, {
      platform: 'teams',
      workspace: 'another-tenant',
      class: 'pdf',
      title: 'invoice PDFs return 404',
      daysAgo: 1,
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('names the earlier incident in the new thread, under the checklist, and @Incident search finds it by its cause', async () => {
    const before = new Set(h.connector.created.keys());
    expect((await h.say('incident pdf-404 invoices 404 again', alice, { channel: GENERAL_CHANNEL })).status).toBe(200);
    const created = await h.connector.waitFor(
      () => [...h.connector.created.values()].find((c) => !before.has(c.id) && c.params.channelData?.channel?.id === INCIDENTS_CHANNEL.id),
      10_000,
      'the incident thread',
    );
    const thread = created.id;
    const seen = await h.connector.waitFor(
      () => h.connector.messages(thread).find((m) => String(m.activity.text ?? '').includes('Seen before')),
      15_000,
      'the similar-incidents notice',
    );
    const text = String(seen.activity.text);
    expect(text).toContain(`INC-${past.number}`);
    expect(text).toContain('storage key rotated without re-rendering');
    expect(text).not.toContain(`INC-${otherTenant.number}`);
    // Someone else's text is never a mention.
    expect(text).not.toContain('<at>Everyone</at>');
    expect(h.connector.messages(thread).filter((m) => String(m.activity.text ?? '').includes('Seen before'))).toHaveLength(1);

    expect((await h.say('search rotated', alice, { conversationId: thread, channel: INCIDENTS_CHANNEL })).status).toBe(200);
    const answer = await h.connector.waitFor(
      () => h.connector.messages(thread).find((m) => String(m.activity.text ?? '').includes('Past incidents matching')),
      10_000,
      'the search answer',
    );
    expect(String(answer.activity.text)).toContain(`INC-${past.number}`);
    expect(String(answer.activity.text)).not.toContain(`INC-${otherTenant.number}`);
  });
});
