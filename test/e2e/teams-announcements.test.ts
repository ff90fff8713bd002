import { chatAnnounce } from '../../src/jobs/handlers/chat-announce';
import type { HandlerDeps } from '../../src/jobs/handlers/deps';
import type { RecordedMessage } from '../support/fake-connector';
import { alice, GENERAL_CHANNEL, INCIDENTS_CHANNEL, PEOPLE, TEAM } from '../support/teams-activities';
import { cardText } from '../support/teams-cards';
import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';

jest.setTimeout(60_000);

const ANNOUNCE = { id: '19:0a1b2c3d4e5f40718293a4b5c6d7e8f9@thread.tacv2', name: 'announcements' };

/** The same team as the harness's, with an announcements channel too. */
function withAnnounceChannel(h: TeamsHarness): void {
  h.connector.setTeam(TEAM.id, {
    name: TEAM.name,
    aadGroupId: TEAM.aadGroupId,
    channels: [GENERAL_CHANNEL, INCIDENTS_CHANNEL, ANNOUNCE],
    members: PEOPLE.map((p) => ({ ...p })),
  });
}

async function declare(h: TeamsHarness, text: string): Promise<{ thread: string; incidentId: string }> {
  const before = new Set(h.connector.created.keys());
  expect((await h.say(`incident ${text}`, alice, { channel: GENERAL_CHANNEL })).status).toBe(200);
  const created = await h.connector.waitFor(
    () => [...h.connector.created.values()].find((c) => !before.has(c.id) && c.params.channelData?.channel?.id === INCIDENTS_CHANNEL.id),
    10_000,
    'the incident thread',
  );
  await h.connector.waitFor(
    () => h.connector.messages(created.id).some((m) => /declared INC-/.test(m.activity.text ?? '')),
    10_000,
    'header, checklist and welcome',
  );
  const { rows } = await h.schema.pool.query('SELECT id FROM incidents WHERE channel_id = $1', [created.id]);
  return { thread: created.id, incidentId: rows[0].id };
}

const cardOf = (m: RecordedMessage) => m.activity.attachments?.[0]?.content;
const announcements = (h: TeamsHarness, title: string) => h.connector.messages(ANNOUNCE.id).filter((m) => cardOf(m) && cardText(cardOf(m)).includes(title));
const posts = (h: TeamsHarness, title: string) => h.connector.messages(ANNOUNCE.id).filter((m) => !cardOf(m) && String(m.activity.text).includes(title));

describe('announcing Teams incidents in TEAMS_ANNOUNCE_CHANNEL_ID', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeamsHarness({ env: { TEAMS_ANNOUNCE_CHANNEL_ID: ANNOUNCE.id } });
    withAnnounceChannel(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('one post per incident, updated in place on severity and resolve; a rise to SEV1 said once', async () => {
    const title = 'credit notes 404';
    const { thread, incidentId } = await declare(h, `pdf-404 ${title}`);
    const inThread = { conversationId: thread, channel: INCIDENTS_CHANNEL };

    // The announcement links the thread once setup has opened it.
    const [first] = await h.connector.waitFor(
      () => (announcements(h, title).some((m) => JSON.stringify(cardOf(m)).includes('teams.microsoft.com/l/message/')) ? announcements(h, title) : null),
      10_000,
      'the announcement with its thread link',
    );
    const text = cardText(cardOf(first!));
    expect(text).toContain('SEV2');
    expect(text).toContain('Declared');
    expect(JSON.stringify(cardOf(first!))).toContain(`https://teams.microsoft.com/l/message/${encodeURIComponent(INCIDENTS_CHANNEL.id)}`);

    expect((await h.say('sev 1', alice, inThread)).status).toBe(200);
    await h.connector.waitFor(() => cardText(cardOf(h.connector.message(first!.id)!)).includes('SEV1'), 10_000, 'the announcement at SEV1');
    const raised = await h.connector.waitFor(() => posts(h, title)[0], 10_000, 'the SEV1 post');
    expect(raised.activity.text).toMatch(/raised to SEV1/);

    // The job run again (a retry) finds its claim in chat_posts and sends nothing.
    const { rows } = await h.schema.pool.query(`SELECT payload FROM outbox WHERE kind = 'chat.announce' AND payload->>'incidentId' = $1`, [incidentId]);
    expect(rows).toHaveLength(1);
    const handler = chatAnnounce({ deps: h.runtime.deps, platformOf: (name: string) => h.runtime.platforms.get(name)! } as unknown as HandlerDeps);
    await handler(rows[0].payload, { attempt: 2, final: false } as never);

    expect((await h.say('resolve --validated rolled back', alice, inThread)).status).toBe(200);
    await h.connector.waitFor(() => cardText(cardOf(h.connector.message(first!.id)!)).includes('Resolved'), 10_000, 'the announcement resolved');
    expect(announcements(h, title)).toHaveLength(1);
    expect(posts(h, title)).toHaveLength(1);
    expect(h.connector.message(first!.id)!.versions).toBeGreaterThan(1);
  });
});

describe('without TEAMS_ANNOUNCE_CHANNEL_ID', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeamsHarness();
    withAnnounceChannel(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('nothing is posted in the announce channel', async () => {
    const { thread } = await declare(h, 'pdf-404 invoices 404');
    expect((await h.say('sev 1', alice, { conversationId: thread, channel: INCIDENTS_CHANNEL })).status).toBe(200);
    await h.connector.waitFor(() => h.connector.cards(thread).some((c) => cardText(c).includes('SEV1')), 10_000, 'the header at SEV1');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.connector.messages(ANNOUNCE.id)).toHaveLength(0);
  });
});
