import { postmortemMarkdown } from '../../src/core/render/postmortem';
import { startHarness, TEAM, type Harness } from '../support/harness';

const ALICE = 'UALICE01';
const BOB = 'UBOB0002';
const CAROL = 'UCAROL03';

const HOSTILE = '<!channel> <@U0ADMIN> *bold* | cell <script>alert(1)</script> [x](javascript:alert(1))';

describe('notes on the timeline from Slack: /incident note and a 📌 on a message', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function declare(text: string) {
    const res = await h.command(text, ALICE);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    h.slack.join(channel, BOB);
    const incident = (await h.runtime.deps.store.findByChannel('slack', channel))!.incident;
    return { channel, incident };
  }
  const notesOf = async (id: string) => (await h.runtime.deps.store.timeline(id)).filter((e) => e.kind === 'note.added');
  const pin = (user: string, channel: string, ts: string, author?: string) =>
    h.event({ type: 'reaction_added', user, reaction: 'pushpin', item: { type: 'message', channel, ts }, ...(author ? { item_user: author } : {}) });

  it('/incident note shows in status and in the post-mortem export, once even when the command is replayed', async () => {
    const { channel, incident } = await declare('pdf-404 notes from the command');
    const { body } = h.commandBody('note the 500s started right after the 14:02 deploy', BOB, channel);
    const first = await h.send(body);
    expect(first.body.text).toBe(`Added to INC-${incident.number}'s timeline.`);
    // Slack retries with the same trigger_id: nothing more is added.
    const again = await h.send(body);
    expect(again.body.text).toBe(`That note is already on INC-${incident.number}'s timeline.`);
    expect(await notesOf(incident.id)).toEqual([expect.objectContaining({ actor: BOB, data: { text: 'the 500s started right after the 14:02 deploy' } })]);

    const status = await h.command('status', ALICE, channel);
    expect(status.body.text).toContain('Notes (1):');
    expect(status.body.text).toMatch(new RegExp(`<@${BOB}>: the 500s started right after the 14:02 deploy`));

    const snapshot = (await h.runtime.deps.store.get(incident.id))!;
    const markdown = postmortemMarkdown({
      snapshot,
      runbook: h.runtime.deps.catalog.forIncident('pdf-404'),
      timeline: await h.runtime.deps.store.timeline(incident.id),
    });
    expect(markdown).toMatch(/\| Note: the 500s started right after the 14:02 deploy \|/);
  });

  it('keeps hostile text as text: escaped in Slack, in the export, and stored as typed', async () => {
    const { channel, incident } = await declare('pdf-404 hostile note');
    await h.command(`note ${HOSTILE}`, BOB, channel);
    expect((await notesOf(incident.id))[0]!.data).toEqual({ text: HOSTILE });
    const status = (await h.command('status', ALICE, channel)).body.text as string;
    expect(status).toContain('&lt;!channel&gt; &lt;@U0ADMIN&gt;');
    expect(status).not.toContain('<!channel>');
    expect(status).not.toContain('<script>');
    const snapshot = (await h.runtime.deps.store.get(incident.id))!;
    const markdown = postmortemMarkdown({
      snapshot,
      runbook: h.runtime.deps.catalog.forIncident('pdf-404'),
      timeline: await h.runtime.deps.store.timeline(incident.id),
    });
    const row = markdown.split('\n').find((l) => l.includes('Note:'))!;
    expect(row).not.toContain('<script>');
    expect(row.split(/(?<!\\)\|/)).toHaveLength(5); // the pipe in the note does not open a column
  });

  it('refuses a note from outside the incident channel, one too long and one that shows nothing', async () => {
    const { channel, incident } = await declare('pdf-404 refused notes');
    const elsewhere = await h.command('note from the general channel', BOB, 'CGENERAL');
    expect(elsewhere.body.text).toMatch(/works inside an incident channel, and this is not one/);
    const long = await h.command(`note ${'x'.repeat(501)}`, BOB, channel);
    expect(long.body.text).toBe('That note is 501 characters; keep it to 500. Put the details in the incident channel instead.');
    const invisible = await h.command('note \u200b\u200b', BOB, channel);
    expect(invisible.body.text).toMatch(/^That note shows nothing/);
    const empty = await h.command('note', BOB, channel);
    expect(empty.body.text).toMatch(/^Write what to add to the timeline after the word/);
    expect(await notesOf(incident.id)).toEqual([]);
  });

  it('adds a 📌-pinned message once, with its author and permalink, even pinned twice and by two people', async () => {
    const { channel, incident } = await declare('pdf-404 pinned evidence');
    const ts = h.slack.say(channel, CAROL, `storage returned 403 for bucket invoices ${HOSTILE}`);
    h.slack.join(channel, CAROL);
    const sent = await Promise.all([pin(BOB, channel, ts, CAROL), pin(ALICE, channel, ts, CAROL)]);
    expect(sent.map((s) => s.status)).toEqual([200, 200]);
    await h.slack.waitFor(() => h.slack.ephemerals.some((e) => e.channel === channel && /Added to INC-/.test(e.text)), 'the pin confirmed');
    expect((await pin(BOB, channel, ts, CAROL)).status).toBe(200);
    // Give the late events time to be (not) written.
    await new Promise((r) => setTimeout(r, 500));
    const notes = await notesOf(incident.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.data).toEqual({
      text: `storage returned 403 for bucket invoices ${HOSTILE}`,
      author: CAROL,
      link: `https://braiflow.slack.com/archives/${channel}/p${ts.replace('.', '')}`,
      message: `${channel}/${ts}`,
    });
    expect([ALICE, BOB]).toContain(notes[0]!.actor);
    expect(h.slack.ephemerals.filter((e) => e.channel === channel && /Added to INC-/.test(e.text))).toHaveLength(1);

    const status = (await h.command('status', ALICE, channel)).body.text as string;
    expect(status).toContain(`<@${CAROL}>: storage returned 403 for bucket invoices &lt;!channel&gt;`);
    expect(status).toContain(`<https://braiflow.slack.com/archives/${channel}/p${ts.replace('.', '')}|message>`);
  });

  it('adds a pinned reply in a thread; ignores other reactions, other channels and people outside the room', async () => {
    const { channel, incident } = await declare('pdf-404 pinned thread reply');
    const parent = h.slack.say(channel, BOB, 'looking at the bucket policy');
    const reply = h.slack.say(channel, BOB, 'the policy lost its read grant at 14:01', parent);
    await h.event({ type: 'reaction_added', user: BOB, reaction: 'eyes', item: { type: 'message', channel, ts: parent } });
    h.slack.addChannel('CRANDOM1', 'random', [BOB]);
    const elsewhere = h.slack.say('CRANDOM1', BOB, 'lunch?');
    await pin(BOB, 'CRANDOM1', elsewhere);
    // Dave is not in the incident's channel: refused, told privately.
    await pin('UDAVE004', channel, parent);
    await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === 'UDAVE004' && /only people in the incident channel can/.test(e.text)), 'Dave told');
    await pin(BOB, channel, reply);
    await new Promise((r) => setTimeout(r, 500));
    expect((await notesOf(incident.id)).map((e) => e.data.text)).toEqual(['the policy lost its read grant at 14:01']);
    expect(h.slack.callsOf('conversations.history').some((c) => c.args.channel === 'CRANDOM1')).toBe(false);
  });

  it('the message shortcut Add to incident timeline adds the message once, and says so privately', async () => {
    const { channel, incident } = await declare('pdf-404 shortcut');
    const ts = h.slack.say(channel, BOB, 'grafana: 5xx rate 38% on invoices-api since 14:02');
    let n = 0;
    const shortcut = (user: string) => {
      const responseUrl = h.slack.responseUrl(`shortcut-${++n}`);
      const payload = {
        type: 'message_action',
        callback_id: 'add_to_incident_timeline',
        trigger_id: `trigger-shortcut-${n}`,
        action_ts: `${Date.now() / 1000}`,
        team: { id: TEAM, domain: 'braiflow' },
        user: { id: user, username: user.toLowerCase(), team_id: TEAM },
        channel: { id: channel, name: 'incident' },
        message: { type: 'message', user: BOB, ts, text: 'grafana: 5xx rate 38% on invoices-api since 14:02' },
        message_ts: ts,
        response_url: responseUrl,
        token: 'legacy-verification-token',
      };
      return { responseUrl, sent: h.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString()) };
    };
    const first = shortcut(ALICE);
    expect((await first.sent).status).toBe(200);
    const told = await h.slack.waitFor(() => h.slack.replies.find((r) => first.responseUrl.endsWith(r.path)), 'the answer');
    expect(told.body.text).toBe(`Added to INC-${incident.number}'s timeline.`);
    const second = shortcut(BOB);
    await second.sent;
    const again = await h.slack.waitFor(() => h.slack.replies.find((r) => second.responseUrl.endsWith(r.path)), 'the second answer');
    expect(again.body.text).toMatch(/^Nothing added: that message is already on the timeline/);
    const notes = await notesOf(incident.id);
    expect(notes.map((e) => [e.actor, e.data.text, e.data.author])).toEqual([[ALICE, 'grafana: 5xx rate 38% on invoices-api since 14:02', BOB]]);
  });
});
