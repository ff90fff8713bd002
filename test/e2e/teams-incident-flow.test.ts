import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { alice, bob, carol, GENERAL_CHANNEL, INCIDENTS_CHANNEL, personalMessage, postActivity, teamsMessageId, TENANT_ID } from '../support/teams-activities';
import { cardActions, cardSchemaProblems, cardText } from '../support/teams-cards';
import type { RecordedMessage } from '../support/fake-connector';

jest.setTimeout(60_000);

const CARD_MAX_BYTES = 28 * 1024;

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness({ env: { TEAMS_ADMINS: carol.aadObjectId } });
});
afterAll(async () => {
  await h?.stop();
});

/** Declares in General and waits for the incident's thread: its header card, checklist card and the mention of the declarer. */
async function declare(text: string, from = alice) {
  const asked = await h.say(`incident ${text}`, from, { channel: GENERAL_CHANNEL });
  expect(asked.status).toBe(200);
  const created = await h.connector.waitFor(() => [...h.connector.created.values()].at(-1), 10_000, 'a thread');
  const thread = created.id;
  const messages = await h.connector.waitFor(
    () => {
      const m = h.connector.messages(thread);
      return m.length >= 3 && m;
    },
    10_000,
    'header, checklist and the declarer mentioned',
  );
  const { rows } = await h.schema.pool.query('SELECT id, number FROM incidents WHERE channel_id = $1', [thread]);
  return { thread, header: messages[0]!, checklist: messages[1]!, welcome: messages[2]!, incidentId: rows[0]!.id as string, number: rows[0]!.number as number };
}

const card = (m: RecordedMessage) => m.activity.attachments[0].content;

test('a declare in a channel opens a thread in the incident channel with the header and the checklist as cards, and mentions the declarer', async () => {
  const origin = `${GENERAL_CHANNEL.id};messageid=1`;
  const asked = await h.say('incident pdf-404 invoices return 404', alice, { channel: GENERAL_CHANNEL, conversationId: origin });
  expect(asked.status).toBe(200);
  const created = await h.connector.waitFor(
    () => [...h.connector.created.values()].find((c) => c.params.channelData?.channel?.id === INCIDENTS_CHANNEL.id),
    10_000,
  );
  const thread = created.id;
  // Found by what they say, not by position: a checklist may span several cards.
  const [header, checklist, welcome] = await h.connector.waitFor(() => {
    const m = h.connector.messages(thread);
    const cards = m.filter((x) => x.activity.attachments?.length);
    const found = [
      cards[0],
      cards.find((x) => /checklist: Generated PDFs/.test(cardText(card(x)))),
      m.find((x) => /declared INC-/.test(x.activity.text ?? '')),
    ];
    return found.every(Boolean) && found;
  });
  expect(cardText(card(header!))).toContain('invoices return 404');
  expect(cardText(card(checklist!))).toMatch(/checklist: Generated PDFs/);
  expect(welcome!.activity.text).toContain('<at>Alice Martin</at> declared INC-');
  expect(welcome!.mentions).toEqual([expect.objectContaining({ id: alice.id, name: 'Alice Martin' })]);
  // The declarer hears where, in the conversation they declared from.
  const told = await h.connector.waitFor(() => h.connector.messages(origin).find((m) => /Work it in/.test(m.activity.text ?? '')));
  expect(told.activity.text).toContain(`https://teams.microsoft.com/l/message/${encodeURIComponent(INCIDENTS_CHANNEL.id)}`);
  const { rows } = await h.schema.pool.query('SELECT platform, workspace, channel_id, declared_by FROM incidents WHERE channel_id = $1', [thread]);
  expect(rows).toEqual([{ platform: 'teams', workspace: TENANT_ID, channel_id: thread, declared_by: alice.aadObjectId }]);
});

test('a click updates the card for the clicker at once and for everyone by updateActivity; a double invoke records one event', async () => {
  const inc = await declare('pdf-404 quotes 404');
  const done = cardActions(card(inc.checklist)).find((a) => a.payload?.a === 'step' && a.payload.to === 'done')!;
  expect(done).toBeDefined();
  const invokeId = 'f:double-click-1';
  const first = await h.click(bob, inc.thread, inc.checklist.id, done, invokeId);
  const again = await h.click(bob, inc.thread, inc.checklist.id, done, invokeId);
  for (const r of [first, again]) {
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(r.body.value)).toContain('Bob Okafor');
  }
  // A second click on the same button (a new invoke) asks for the same state: still one event.
  await h.click(bob, inc.thread, inc.checklist.id, done);
  const updated = await h.connector.waitFor(
    () => {
      const m = h.connector.message(inc.checklist.id);
      return m && m.versions > 1 && cardText(m.activity.attachments[0].content).includes('Bob Okafor') && m;
    },
    10_000,
    'the checklist updated in place',
  );
  expect(updated.conversationId).toBe(inc.thread);
  const { rows } = await h.schema.pool.query(`SELECT actor FROM incident_events WHERE incident_id = $1 AND kind = 'step.completed'`, [inc.incidentId]);
  expect(rows).toEqual([{ actor: bob.aadObjectId }]);
});

test('the same commands as in Slack work in the thread, with the same rules and refusals', async () => {
  const inc = await declare('pdf-404 credit notes 404');
  const inThread = { conversationId: inc.thread, channel: INCIDENTS_CHANNEL };
  // The answer to this command: the thread also gets the bot's own posts (the level-1 page at declare).
  const reply = async (text: string, from = alice, mentions?: (typeof alice)[]) => {
    const id = teamsMessageId();
    expect((await h.say(text, from, { ...inThread, mentions, id })).status).toBe(200);
    return (await h.connector.waitFor(() => h.connector.messages(inc.thread).find((m) => m.replyToId === id))).activity.text as string;
  };
  expect(await reply('ack', bob)).toContain(`You acknowledged INC-${inc.number}`);
  // Bob is neither declarer, commander nor admin: the same refusal Slack gives.
  const refused = await reply('sev 1', bob);
  expect(refused).toContain('Alice Martin');
  expect(refused).not.toContain('<at>'); // naming the declarer in a refusal must not page her
  expect(await reply('commander <at>Bob Okafor</at>', alice, [bob])).toContain(`now leads INC-${inc.number}`);
  expect(await reply('sev 3', bob)).toContain(`INC-${inc.number} is now SEV3`);
  expect(await reply('status', carol)).toContain('SEV3');
  expect(await reply('resovle', alice)).toMatch(/did you mean|Unknown runbook/i);
  expect(await reply('resolve --validated rolled back the storage key', carol)).toContain(`INC-${inc.number} resolved`);
  const { rows } = await h.schema.pool.query('SELECT status, commander, severity FROM incidents WHERE id = $1', [inc.incidentId]);
  expect(rows).toEqual([{ status: 'resolved', commander: bob.aadObjectId, severity: 3 }]);
  // Resolved in Teams, counted in the reports like any other incident.
  const report = await h.runtime.deps.reports!.mttr({ since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() + 60_000) }, ['documents']);
  expect(report.overall.resolved).toBeGreaterThanOrEqual(1);
});

test('a click from anywhere but the incident thread is refused to the clicker alone, and records nothing', async () => {
  const inc = await declare('pdf-404 receipts 404');
  const ack = cardActions(card(inc.header)).find((a) => a.payload?.a === 'ack')!;
  const elsewhere = `${GENERAL_CHANNEL.id};messageid=42`;
  const r = await h.click(bob, elsewhere, inc.header.id, ack);
  expect(r.body.type).toBe('application/vnd.microsoft.activity.message');
  expect(r.body.value).toMatch(/INC-\d+/);
  const { rows } = await h.schema.pool.query('SELECT acknowledged_at FROM incidents WHERE id = $1', [inc.incidentId]);
  expect(rows[0].acknowledged_at).toBeNull();
});

test('a declare in a personal chat opens its thread in the incident channel', async () => {
  const chat = `a:personal-${carol.id}`;
  const res = await postActivity(
    h.url,
    personalMessage({ serviceUrl: h.connector.serviceUrl, text: 'incident pdf-404 statements 404', from: carol, conversationId: chat }),
  );
  expect(res.status).toBe(200);
  const told = await h.connector.waitFor(() => h.connector.messages(chat).find((m) => /Work it in/.test(m.activity.text ?? '')), 10_000);
  expect(told.activity.text).toContain('its thread');
});

test('every card the bot sent is valid Adaptive Cards 1.5 with Action.Execute, and under 28 KB', async () => {
  const cards = h.connector.allMessages().flatMap((m) => m.history.flatMap((a: any) => (a.attachments ?? []).map((x: any) => x.content)));
  expect(cards.length).toBeGreaterThan(10);
  for (const c of cards) {
    expect(cardSchemaProblems(c)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThan(CARD_MAX_BYTES);
  }
  expect(cards.some((c) => cardActions(c).length > 0)).toBe(true);
});

test('action items and the post-mortem work in Teams: owner by mention, the follow-up card, Done by its owner', async () => {
  const inc = await declare('pdf-404 invoices 404 again');
  const inThread = { conversationId: inc.thread, channel: INCIDENTS_CHANNEL };
  expect((await h.say('action add purge the CDN cache <at>Bob Okafor</at>', alice, { ...inThread, mentions: [bob] })).status).toBe(200);
  expect((await h.say('resolve --validated purged', alice, inThread)).status).toBe(200);
  const { rows: items } = await h.schema.pool.query('SELECT number, owner FROM action_items WHERE incident_id = $1', [inc.incidentId]);
  expect(items).toEqual([{ number: 1, owner: bob.aadObjectId }]);
  const followUp = await h.connector.waitFor(
    () => h.connector.messages(inc.thread).find((m) => cardActions(m.activity.attachments?.[0]?.content).some((a) => a.payload?.a === 'item')),
    10_000,
    'the follow-up card',
  );
  expect(cardText(card(followUp))).toContain('Bob Okafor');
  const done = cardActions(card(followUp)).find((a) => a.payload?.a === 'item')!;
  // Dave owns nothing, does not lead and is no admin: refused, to him alone.
  const dave = {
    id: '29:1dAvE0-not-an-owner',
    aadObjectId: 'da7e0000-1111-4222-8333-944455556666',
    name: 'Dave Ito',
    email: 'dave@braiflow.example',
    userPrincipalName: 'dave@braiflow.example',
  };
  const refused = await h.click(dave, inc.thread, followUp.id, done);
  expect(refused.body.type).toBe('application/vnd.microsoft.activity.message');
  expect(refused.body.value).toMatch(/^Only the owner \(Bob Okafor\)/);
  const closed = await h.click(bob, inc.thread, followUp.id, done);
  expect(closed.body.type).toBe('application/vnd.microsoft.card.adaptive');
  const { rows } = await h.schema.pool.query('SELECT closed_by FROM action_items WHERE incident_id = $1', [inc.incidentId]);
  expect(rows).toEqual([{ closed_by: bob.aadObjectId }]);
});
