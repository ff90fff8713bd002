import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { alice, bob, channelMessage, GENERAL_CHANNEL, INCIDENTS_CHANNEL, postActivity } from '../support/teams-activities';
import { cardActions, cardText } from '../support/teams-cards';

jest.setTimeout(60_000);

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness();
});
afterAll(async () => {
  await h?.stop();
});

const threads = () => [...h.connector.created.values()].filter((c) => c.params.channelData?.channel?.id === INCIDENTS_CHANNEL.id);

test('a declare Teams delivers twice records one incident and opens one thread', async () => {
  const activity = channelMessage({ serviceUrl: h.connector.serviceUrl, text: 'incident pdf-404 delivered twice', from: alice, channel: GENERAL_CHANNEL });
  const [a, b] = await Promise.all([postActivity(h.url, activity), postActivity(h.url, activity)]);
  expect([a.status, b.status]).toEqual([200, 200]);
  await h.connector.waitFor(() => threads().length >= 1 && h.connector.messages(threads()[0]!.id).length >= 3, 10_000);
  await new Promise((r) => setTimeout(r, 1_000));
  const { rows } = await h.schema.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE title = 'delivered twice'`);
  expect(rows[0].n).toBe(1);
  expect(threads()).toHaveLength(1);
});

test('hostile text stays text: no mention, no markup, in replies and in cards', async () => {
  const summary = '<at>Boss</at> <script>alert(1)</script> **bold** [x](javascript:alert(1))';
  const origin = `${GENERAL_CHANNEL.id};messageid=777`;
  await h.say(`incident pdf-404 ${summary}`, alice, { channel: GENERAL_CHANNEL, conversationId: origin });
  const reply = await h.connector.waitFor(() => h.connector.messages(origin)[0], 10_000);
  expect(reply.activity.text).not.toContain('<script>');
  expect(reply.mentions).toEqual([]);
  const thread = await h.connector.waitFor(
    () =>
      threads().find(
        // The declared notice, not just any third post: the level-1 page at declare may come first.
        (t) =>
          h.connector.messages(t.id).some((m) => m.activity.text?.includes('declared INC-')) &&
          cardText(h.connector.messages(t.id)[0]!.activity.attachments?.[0]?.content).includes('<script>'),
      ),
    10_000,
  );
  const header = h.connector.messages(thread.id)[0]!.activity.attachments[0].content;
  // The summary is in a TextRun (never markdown), unchanged; a typed <at> tag is no mention.
  expect(JSON.stringify(header)).toContain(JSON.stringify('<script>alert(1)</script> **bold** [x](javascript:alert(1))').slice(1, -1));
  expect(
    h.connector
      .messages(thread.id)
      .flatMap((m) => m.mentions)
      .map((m) => m.name),
  ).toEqual(['Alice Martin']);
  expect(JSON.stringify(header)).not.toMatch(/"url":"javascript:/);
});

test('Teams refusing the thread for good stops at once and tells the declarer what to fix', async () => {
  // Once: a refusal for good is not tried again, so one is all the bot may ever see.
  h.connector.failNext({ method: 'POST', path: /^\/v3\/conversations$/ }, 403, 1, {
    error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' },
  });
  const origin = `${GENERAL_CHANNEL.id};messageid=888`;
  await h.say('incident pdf-404 refused thread', alice, { channel: GENERAL_CHANNEL, conversationId: origin });
  const told = await h.connector.waitFor(() => h.connector.messages(origin).find((m) => /could not open its thread/.test(m.activity.text ?? '')), 15_000);
  expect(told.activity.text).toContain('must be installed in the team');
  expect(told.activity.text).toContain('retry INC-');
  await new Promise((r) => setTimeout(r, 3_000));
  const tried = h.connector.callsTo('POST', /^\/v3\/conversations$/).filter((c) => c.body?.activity && JSON.stringify(c.body).includes('refused thread'));
  expect(tried.map((c) => c.status)).toEqual([403]);
});

test('a rate-limited card update is retried after Retry-After, and the card ends up current', async () => {
  await h.say('incident pdf-404 rate limited', alice, { channel: GENERAL_CHANNEL });
  const thread = await h.connector.waitFor(
    () =>
      threads().find(
        (t) => h.connector.messages(t.id).length >= 3 && cardText(h.connector.messages(t.id)[0]!.activity.attachments[0].content).includes('rate limited'),
      ),
    10_000,
  );
  const checklist = h.connector.messages(thread.id)[1]!;
  // More 429s than botbuilder's own retries: the job layer must wait and try again.
  h.connector.failNext({ method: 'PUT' }, 429, 8, undefined, { 'retry-after': '1' });
  const done = cardActions(checklist.activity.attachments[0].content).find((a) => a.payload?.a === 'step' && a.payload.to === 'done')!;
  expect((await h.click(bob, thread.id, checklist.id, done)).status).toBe(200);
  await h.connector.waitFor(
    () => {
      const m = h.connector.message(checklist.id)!;
      return cardText(m.activity.attachments[0].content).includes('Bob Okafor');
    },
    30_000,
    'the checklist updated after the rate limit',
  );
  expect(h.connector.callsTo('PUT', /activities/).some((c) => c.status === 429)).toBe(true);
});
