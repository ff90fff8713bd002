import { alice, GENERAL_CHANNEL, INCIDENTS_CHANNEL } from '../support/teams-activities';
import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';

jest.setTimeout(60_000);

describe('@Incident note in Teams', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeamsHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('adds the note to the timeline through the same parser, and answers in the thread', async () => {
    const before = new Set(h.connector.created.keys());
    expect((await h.say('incident pdf-404 teams notes', alice, { channel: GENERAL_CHANNEL })).status).toBe(200);
    const created = await h.connector.waitFor(
      () => [...h.connector.created.values()].find((c) => !before.has(c.id) && c.params.channelData?.channel?.id === INCIDENTS_CHANNEL.id),
      10_000,
      'the incident thread',
    );
    const thread = created.id;
    await h.connector.waitFor(() => h.connector.messages(thread).length >= 3, 10_000, 'header, checklist and welcome');
    const hostile = '<at>Everyone</at> **bold** 403 from storage';
    expect((await h.say(`note ${hostile}`, alice, { conversationId: thread, channel: INCIDENTS_CHANNEL })).status).toBe(200);
    const { rows } = await h.schema.pool.query(
      `SELECT e.data FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.channel_id = $1 AND e.kind = 'note.added'`,
      [thread],
    );
    expect(rows.map((r) => r.data)).toEqual([{ text: expect.stringContaining('403 from storage') }]);
    await h.connector.waitFor(
      () => h.connector.messages(thread).find((m) => /Added to INC-\d+'s timeline/.test(String(m.activity.text))),
      10_000,
      'the answer',
    );
  });
});
