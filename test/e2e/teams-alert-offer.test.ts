import type { RecordedMessage } from '../support/fake-connector';
import { alice, bob, GENERAL_CHANNEL, INCIDENTS_CHANNEL, invokeAction, postActivity, submitAction, TENANT_ID } from '../support/teams-activities';
import { cardActions, cardSchemaProblems, cardText } from '../support/teams-cards';
import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { sleep, until } from '../support/wait';

jest.setTimeout(60_000);

const TOKEN = 'alerts-token-0123456789abcdef0123456789';
const FOREIGN_TENANT = 'f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f';

/** A Teams-only bot: an alert no runbook routes is offered in TEAMS_INCIDENT_CHANNEL_ID, and a click declares it. */
describe('an unrouted alert offered on Teams', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeamsHarness({ env: { ALERTS_TOKEN: TOKEN, TEAMS_ALLOWED_TENANTS: TENANT_ID } });
    // Teams speaks first: until then the bot knows no service URL to post the offer through.
    expect((await h.say('help', alice, { channel: GENERAL_CHANNEL })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const send = (fingerprint: string, summary: string) =>
    fetch(`${new URL(h.url).origin}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        version: '4',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'DiskAlmostFull', instance: 'db-1' },
            annotations: { summary },
            startsAt: '2026-03-01T03:12:00Z',
            fingerprint,
          },
        ],
      }),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));

  const cardOf = (m: RecordedMessage) => m.activity.attachments?.[0]?.content;
  // The offer cards about `title`: the incident's own cards name it too.
  const offers = (title: string) =>
    h.connector
      .messages(INCIDENTS_CHANNEL.id)
      .filter((m) => cardOf(m) && cardText(cardOf(m)).includes(title) && cardActions(cardOf(m)).some((a) => a.verb === 'alert.declare'));
  const incidents = async (title: string) => (await h.schema.pool.query(`SELECT * FROM incidents WHERE title = $1`, [title])).rows;

  test('is posted once, as a thread of its own, with a "Declare as" button per runbook', async () => {
    const title = 'Disk <b>almost</b> full on db-1';
    const sent = await Promise.all([send('t-once', title), send('t-once', title), send('t-once', title)]);
    expect(sent.map((r) => r.body.results[0].outcome)).toEqual(['unrouted', 'unrouted', 'unrouted']);
    const [offer] = await h.connector.waitFor(() => (offers(title).length > 0 ? offers(title) : null), 10_000, 'the offer');
    await sleep(500);
    expect(offers(title)).toHaveLength(1);
    expect(offer!.threadId).toBe(`${INCIDENTS_CHANNEL.id};messageid=${offer!.id}`);
    const card = cardOf(offer!);
    expect(cardSchemaProblems(card)).toEqual([]);
    // The alert's text is shown as typed, never as markup.
    expect(cardText(card)).toContain(title);
    expect(cardActions(card).map((a) => [a.title, a.verb])).toEqual([
      ['Declare as general', 'alert.declare'],
      ['Declare as pdf-404', 'alert.declare'],
      ['Declare as queue-failure', 'alert.declare'],
      ['Declare as storage-permissions', 'alert.declare'],
      ['Declare as workflow-500', 'alert.declare'],
    ]);
    expect((await h.schema.pool.query(`SELECT incident_id FROM alerts WHERE fingerprint = 't-once'`)).rows).toEqual([{ incident_id: null }]);
  });

  test('"Declare as pdf-404" declares it with the alert\'s title, led by the clicker; a second click finds the same incident', async () => {
    const title = 'Invoice PDFs missing (t-click)';
    expect((await send('t-click', title)).body.results[0].outcome).toBe('unrouted');
    const offer = await h.connector.waitFor(() => offers(title)[0], 10_000, 'the offer');
    const pdf = cardActions(cardOf(offer)).find((a) => a.title === 'Declare as pdf-404')!;
    const click = (who = alice, tenantId?: string) =>
      postActivity(
        h.url,
        invokeAction({
          serviceUrl: h.connector.serviceUrl,
          from: who,
          conversationId: offer.threadId!,
          replyToId: offer.id,
          verb: pdf.verb,
          data: pdf.data,
          tenantId,
        }),
      );

    // Another tenant's click is refused before anything is read.
    expect((await click(bob, FOREIGN_TENANT)).status).toBe(403);
    expect(await incidents(title)).toEqual([]);

    const first = await click();
    expect(first.status).toBe(200);
    expect(first.body.value).toEqual(expect.stringMatching(/^INC-\d+ declared with runbook pdf-404\. Opening its thread/));
    const [incident] = await incidents(title);
    expect(incident).toEqual(
      expect.objectContaining({ playbook_id: 'pdf-404', platform: 'teams', declared_by: alice.aadObjectId, commander: alice.aadObjectId }),
    );
    const number = `INC-${incident.number}`;
    expect(first.body.value).toContain(number);

    // Its thread opens in the incident channel, and the offer's thread is told where.
    const thread: string = await until(
      async () => (await h.schema.pool.query(`SELECT channel_id FROM incidents WHERE id = $1`, [incident.id])).rows[0].channel_id,
      'the incident thread',
      10_000,
    );
    expect(incident.workspace).toBe(TENANT_ID);
    // It is the tenant's like any incident declared in Teams: the buttons of its own cards work in its thread.
    const header = await h.connector.waitFor(() => h.connector.messages(thread).find((m) => cardOf(m)), 10_000, 'the header card');
    const ack = cardActions(cardOf(header)).find((a) => a.payload?.a === 'ack')!;
    expect((await h.click(alice, thread, header.id, ack)).body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect((await h.schema.pool.query(`SELECT acknowledged_at FROM incidents WHERE id = $1`, [incident.id])).rows[0].acknowledged_at).not.toBeNull();
    await h.connector.waitFor(
      () => h.connector.messages(offer.threadId!).find((m) => String(m.activity.text ?? '').includes(`${number} declared. Work it in`)),
      10_000,
      'the thread named in the offer',
    );

    const second = await click(bob);
    expect(second.body.value).toBe(`This alert is ${number} already: its thread.`);
    // A client without Universal Actions sends the fallback's data as a message; it finds the same one.
    const submit = submitAction({ serviceUrl: h.connector.serviceUrl, from: bob, conversationId: offer.threadId!, replyToId: offer.id, value: pdf.data });
    expect((await postActivity(h.url, submit)).status).toBe(200);
    await h.connector.waitFor(
      () => h.connector.messages(offer.threadId!).find((m) => String(m.activity.text ?? '').startsWith(`This alert is ${number} already`)),
      10_000,
      'the answer to the submit',
    );
    expect(await incidents(title)).toHaveLength(1);
    expect((await send('t-click', title)).body.results[0]).toEqual(expect.objectContaining({ outcome: 'repeated', incident: incident.id }));
  });

  test('once its incident is resolved, the alert firing again is offered again', async () => {
    const title = 'Queue stuck (t-again)';
    expect((await send('t-again', title)).body.results[0].outcome).toBe('unrouted');
    const offer = await h.connector.waitFor(() => offers(title)[0], 10_000, 'the offer');
    const queue = cardActions(cardOf(offer)).find((a) => a.title === 'Declare as queue-failure')!;
    const click = await postActivity(
      h.url,
      invokeAction({
        serviceUrl: h.connector.serviceUrl,
        from: alice,
        conversationId: offer.threadId!,
        replyToId: offer.id,
        verb: queue.verb,
        data: queue.data,
      }),
    );
    expect(click.body.value).toMatch(/declared with runbook queue-failure/);
    const [incident] = await incidents(title);
    const thread: string = await until(
      async () => (await h.schema.pool.query(`SELECT channel_id FROM incidents WHERE id = $1`, [incident.id])).rows[0].channel_id,
      'the incident thread',
      10_000,
    );
    expect((await h.say('resolve --validated drained the queue', alice, { conversationId: thread, channel: INCIDENTS_CHANNEL })).status).toBe(200);
    await until(async () => (await incidents(title))[0].status === 'resolved', 'the incident resolved', 10_000);

    expect((await send('t-again', title)).body.results[0].outcome).toBe('unrouted');
    await h.connector.waitFor(() => offers(title).length === 2, 10_000, 'the second offer');
    expect((await send('t-again', title)).body.results[0].outcome).toBe('unrouted');
    await sleep(500);
    expect(offers(title)).toHaveLength(2);
  });
});
