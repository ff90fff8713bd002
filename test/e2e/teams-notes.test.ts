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
  type Person,
} from '../support/teams-activities';
import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';

jest.setTimeout(60_000);

describe('notes in Teams', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeamsHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** Declares an incident and answers its thread's conversation id once the bot has posted there. */
  async function declare(summary: string): Promise<string> {
    const before = new Set(h.connector.created.keys());
    expect((await h.say(`incident pdf-404 ${summary}`, alice, { channel: GENERAL_CHANNEL })).status).toBe(200);
    const created = await h.connector.waitFor(
      () => [...h.connector.created.values()].find((c) => !before.has(c.id) && c.params.channelData?.channel?.id === INCIDENTS_CHANNEL.id),
      10_000,
      'the incident thread',
    );
    await h.connector.waitFor(() => h.connector.messages(created.id).length >= 3, 10_000, 'header, checklist and welcome');
    return created.id;
  }

  async function notes(thread: string): Promise<Array<Record<string, unknown>>> {
    const { rows } = await h.schema.pool.query(
      `SELECT e.data FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.channel_id = $1 AND e.kind = 'note.added' ORDER BY e.id`,
      [thread],
    );
    return rows.map((r) => r.data);
  }

  async function allNoteCount(): Promise<number> {
    const { rows } = await h.schema.pool.query(`SELECT count(*)::int AS n FROM incident_events WHERE kind = 'note.added'`);
    return rows[0].n;
  }

  /** "Add to incident timeline" picked by `who` on `message`; answers what the dialog shows. */
  async function addToTimeline(who: Person, conversationId: string, message: ActedOnMessage, data?: Record<string, unknown>): Promise<string> {
    const res = await postActivity(h.url, messageActionInvoke({ serviceUrl: h.connector.serviceUrl, from: who, conversationId, message, data }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ task: { type: 'message', value: expect.any(String) } });
    return res.body.task.value;
  }

  test('@Incident note adds the note to the timeline through the same parser, and answers in the thread', async () => {
    const thread = await declare('teams notes');
    const hostile = '<at>Everyone</at> **bold** 403 from storage';
    expect((await h.say(`note ${hostile}`, alice, { conversationId: thread, channel: INCIDENTS_CHANNEL })).status).toBe(200);
    expect(await notes(thread)).toEqual([{ text: expect.stringContaining('403 from storage') }]);
    await h.connector.waitFor(
      () => h.connector.messages(thread).find((m) => /Added to INC-\d+'s timeline/.test(String(m.activity.text))),
      10_000,
      'the answer',
    );
  });

  test("the message action adds a message's text, author and link once, whoever adds it again", async () => {
    const thread = await declare('message action');
    const message: ActedOnMessage = {
      id: teamsMessageId(),
      replyToId: thread.split(';messageid=')[1],
      html: '<div><div>Storage returns <strong>403</strong> for <code>invoices/</code>&nbsp;since 02:10 <img alt="&#x1F62C;" itemtype="http://schema.skype.com/Emoji" src="x"></div>\n</div>',
      author: bob,
      channel: INCIDENTS_CHANNEL,
    };
    const answer = await addToTimeline(alice, thread, message);
    expect(answer).toMatch(/^Added to INC-\d+'s timeline\.$/);
    const incident = /INC-\d+/.exec(answer)![0];
    expect(await notes(thread)).toEqual([
      {
        text: 'Storage returns 403 for invoices/ since 02:10 😬',
        author: 'Bob Okafor',
        link: `https://teams.microsoft.com/l/message/${INCIDENTS_CHANNEL.id}/${message.id}`,
        message: `${thread}/${message.id}`,
      },
    ]);

    // Someone else, later, on the same message: nothing new, and they are told where it already is.
    expect(await addToTimeline(carol, thread, message)).toBe(`That message is already on ${incident}'s timeline. Nothing was added.`);
    // Should Teams name the bare channel as the conversation, the message still finds its thread.
    expect(await addToTimeline(bob, INCIDENTS_CHANNEL.id, message)).toBe(`That message is already on ${incident}'s timeline. Nothing was added.`);
    expect(await notes(thread)).toHaveLength(1);
  });

  test('refuses a message outside an incident thread, one without text, or with the switch off, and records nothing', async () => {
    const thread = await declare('refusals');
    const before = await allNoteCount();
    const root = teamsMessageId();
    const elsewhere = { id: root, html: '<p>lunch at noon?</p>', author: bob, channel: GENERAL_CHANNEL };
    expect(await addToTimeline(alice, `${GENERAL_CHANNEL.id};messageid=${root}`, elsewhere)).toMatch(/not in an incident's thread/);

    const cardOnly = {
      id: teamsMessageId(),
      html: '<attachment id="74d20c7f34aa4a7fb74e2b30004247c5"></attachment>',
      author: carol,
      channel: INCIDENTS_CHANNEL,
    };
    expect(await addToTimeline(alice, thread, cardOnly)).toMatch(/^Nothing was added to INC-\d+'s timeline: the message has no text/);

    const switchedOff = { id: teamsMessageId(), html: '<p>real evidence</p>', author: carol, channel: INCIDENTS_CHANNEL };
    expect(await addToTimeline(alice, thread, switchedOff, { add: 'false' })).toMatch(/switched off/);
    expect(await allNoteCount()).toBe(before);
  });

  test('hostile HTML and mrkdwn in a message are kept as text, and shown escaped in the thread', async () => {
    const thread = await declare('hostile');
    // What Teams sends when someone types this: their text HTML-encoded, around a tag of its own.
    const typed = '<script>alert(1)</script> *bold* <!channel> <at>Everyone</at> & co';
    const encoded = typed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const message = { id: teamsMessageId(), html: `<p>${encoded}<img src="x" onerror="alert(2)"></p>`, author: bob, channel: INCIDENTS_CHANNEL };
    expect(await addToTimeline(alice, thread, message)).toMatch(/^Added to INC-\d+'s timeline\.$/);
    expect(await notes(thread)).toEqual([expect.objectContaining({ text: typed })]);

    const sent = h.connector.messages(thread).length;
    expect((await h.say('status', carol, { conversationId: thread, channel: INCIDENTS_CHANNEL })).status).toBe(200);
    const status = await h.connector.waitFor(
      () =>
        h.connector
          .messages(thread)
          .slice(sent)
          .find((m) => String(m.activity.text).includes('alert(1)')),
      10_000,
      'the status with the note',
    );
    const html = String(status.activity.text);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; *bold* &lt;!channel&gt; &lt;at&gt;Everyone&lt;/at&gt; &amp; co');
    expect(html).not.toMatch(/<script|<at>|onerror/);
    expect(status.activity.entities ?? []).toEqual([]);
  });
});
