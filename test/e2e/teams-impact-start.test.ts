import { ManualClock } from '../support/manual-clock';
import { alice, bob, GENERAL_CHANNEL, INCIDENTS_CHANNEL } from '../support/teams-activities';
import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';

jest.setTimeout(60_000);

// 02:54 in Berlin, the team's zone; 17:54 the day before in Los Angeles, where the test's Teams client is.
const DECLARED = '2026-12-05T01:54:00Z';

describe('@Incident started in Teams: read in the zone the Teams client sends', () => {
  let h: TeamsHarness;
  const clock = new ManualClock(new Date(DECLARED));
  beforeAll(async () => {
    h = await startTeamsHarness({ clock, env: { TEAM_TZ: 'Europe/Berlin' } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('a bare 17:40 from a client in Los Angeles is 17:40 there, and the answer names that zone', async () => {
    const before = new Set(h.connector.created.keys());
    expect((await h.say('incident pdf-404 teams impact start', alice, { channel: GENERAL_CHANNEL })).status).toBe(200);
    const thread = await h.connector.waitFor(
      () => [...h.connector.created.values()].find((c) => !before.has(c.id) && c.params.channelData?.channel?.id === INCIDENTS_CHANNEL.id),
      10_000,
      'the incident thread',
    );
    await h.connector.waitFor(() => h.connector.messages(thread.id).length >= 3, 10_000, 'header, checklist and welcome');
    clock.set('2026-12-05T02:05:00Z');
    expect((await h.say('started 17:40', bob, { conversationId: thread.id, channel: INCIDENTS_CHANNEL })).status).toBe(200);
    const answer = await h.connector.waitFor(
      () => h.connector.messages(thread.id).find((m) => /^Impact started/.test(String(m.activity.text))),
      10_000,
      'the answer',
    );
    expect(String(answer.activity.text)).toMatch(/^Impact started 17:40 America\/Los_Angeles \(14 min before the declaration\): recorded for INC-\d+\.$/);
    const { rows } = await h.schema.pool.query(`SELECT impact_started_at FROM incidents WHERE channel_id = $1`, [thread.id]);
    expect(rows[0].impact_started_at.toISOString()).toBe('2026-12-05T01:40:00.000Z');
  });
});
