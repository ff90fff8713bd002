import {
  alice,
  bob,
  carol,
  GENERAL_CHANNEL,
  INCIDENTS_CHANNEL,
  messageActionInvoke,
  postActivity,
  teamsMessageId,
  type ActedOnMessage,
} from '../support/teams-activities';
import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { postgresProxy, type TcpProxy } from '../support/tcp-proxy';
import { until } from '../support/wait';

jest.setTimeout(60_000);

/**
 * Teams shows an error when a message action is not answered within 5 s. With Postgres silent, the
 * person is told in time that the message is not confirmed, and it is added once Postgres answers.
 */
describe('"Add to incident timeline" while Postgres stalls', () => {
  let proxy: TcpProxy;
  let h: TeamsHarness;
  beforeAll(async () => {
    proxy = await postgresProxy();
    h = await startTeamsHarness({ postgresProxy: proxy });
  });
  afterEach(() => proxy?.heal());
  afterAll(async () => {
    proxy?.heal();
    await h?.stop();
    await proxy?.stop();
  });

  it('answers within the budget that nothing is confirmed yet, then adds the message once', async () => {
    const before = new Set(h.connector.created.keys());
    expect((await h.say('incident pdf-404 stalled database', alice, { channel: GENERAL_CHANNEL })).status).toBe(200);
    const created = await h.connector.waitFor(
      () => [...h.connector.created.values()].find((c) => !before.has(c.id) && c.params.channelData?.channel?.id === INCIDENTS_CHANNEL.id),
      10_000,
      'the incident thread',
    );
    const thread = created.id;
    await h.connector.waitFor(() => h.connector.messages(thread).length >= 3, 10_000, 'header, checklist and welcome');
    const message: ActedOnMessage = { id: teamsMessageId(), html: '<p>disk full on pdf-3</p>', author: bob, channel: INCIDENTS_CHANNEL };
    const act = (who = carol) => postActivity(h.url, messageActionInvoke({ serviceUrl: h.connector.serviceUrl, from: who, conversationId: thread, message }));

    proxy.stall();
    const started = Date.now();
    const slow = await act();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(slow).toEqual({ status: 200, body: { task: { type: 'message', value: expect.stringMatching(/^Not confirmed yet: the database is slow/) } } });
    proxy.heal();

    const notes = async () =>
      (
        await h.schema.pool.query(
          `SELECT e.data FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.channel_id = $1 AND e.kind = 'note.added'`,
          [thread],
        )
      ).rows.map((r) => r.data);
    await until(async () => (await notes()).length === 1, 'the note, once Postgres answers', 15_000);
    // Trying again, as the answer suggests, adds nothing more.
    expect((await act(alice)).body.task.value).toMatch(/^That message is already on INC-\d+'s timeline/);
    expect(await notes()).toEqual([
      { text: 'disk full on pdf-3', author: 'Bob Okafor', link: expect.stringContaining(message.id), message: `${thread}/${message.id}` },
    ]);
  });
});
