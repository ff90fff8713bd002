import { randomUUID } from 'node:crypto';
import { startHarness, TEAM, type Harness } from '../support/harness';
import { sleep, until } from '../support/wait';
import { postgresProxy, type TcpProxy } from '../support/tcp-proxy';

const ALICE = 'UALICE01';

/** The Slack reply on a response_url that names the incident channel, once provisioning is done. */
function channelReply(h: Harness, responseUrl: string) {
  return h.slack.channelLinkReply(responseUrl);
}

describe('a declare is recorded before Slack is told so', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });
  const recordedDone = async (id: string): Promise<Date | null> =>
    (await h.schema.pool.query(`SELECT done_at FROM outbox WHERE kind = 'incident.declare' AND payload->>'id' = $1`, [id])).rows[0]?.done_at ?? null;

  it('acks with the incident number only once the declare is recorded in Postgres, then declares it', async () => {
    const asked = new Date();
    const res = await h.command('pdf-404 recorded before the ack', ALICE);
    const number = /^INC-(\d+) declared with runbook `pdf-404` \(.+\)\. Opening its channel/.exec(res.body.text)?.[1];
    expect(number).toBeDefined();
    // Read straight after the ack: no waiting, the request must already be there, with that number.
    const recorded = await h.schema.pool.query(`SELECT payload FROM outbox WHERE kind = 'incident.declare' AND payload->>'summary' = $1`, [
      'recorded before the ack',
    ]);
    expect(recorded.rows.map((r) => r.payload.number)).toEqual([Number(number)]);
    const reply = await channelReply(h, res.responseUrl);
    expect(reply.body.text).toMatch(new RegExp(`^INC-${number} declared\\. Work it in <#C\\w+>`));
    // Declared when it was asked, not when it was made: MTTA and MTTR count from there.
    const { rows } = await h.schema.pool.query('SELECT id, title, declared_at FROM incidents WHERE number = $1', [number]);
    expect(rows).toEqual([{ id: recorded.rows[0].payload.id, title: 'recorded before the ack', declared_at: new Date(recorded.rows[0].payload.at) }]);
    expect(rows[0].declared_at.getTime()).toBeGreaterThanOrEqual(asked.getTime() - 1_000);
    await until(async () => (await recordedDone(rows[0].id)) !== null, 'the recorded declare to be done', 5_000);
  });

  it('makes one incident and one channel of a declare replayed three times', async () => {
    const { body, responseUrl } = h.commandBody('pdf-404 replayed declare', ALICE);
    const acks = [await h.send(body), await h.send(body), await h.send(body)];
    const number = /^INC-(\d+) declared with runbook/.exec(acks[0]!.body.text)?.[1];
    expect(number).toBeDefined();
    for (const later of acks.slice(1)) expect(later.body.text).toBe(`INC-${number} was already declared by this request. Its channel link follows here.`);
    await channelReply(h, responseUrl);
    await sleep(500);
    const { rows } = await h.schema.pool.query(`SELECT number FROM incidents WHERE title = 'replayed declare'`);
    expect(rows).toEqual([{ number }]);
    const channels = [...h.slack.channels.values()].filter((c) => c.topic.includes('replayed declare'));
    expect(channels).toHaveLength(1);
  });

  it('makes a declare that a process recorded and died before making: the overdue sweep of another hands it to a worker', async () => {
    // What a process killed between its ack and its declare leaves: the request, recorded and taken, 20 s ago.
    const id = randomUUID();
    const at = new Date(Date.now() - 20_000);
    const responseUrl = h.slack.responseUrl('cmd-orphaned');
    const payload = {
      id,
      at: at.toISOString(),
      runbook: 'pdf-404',
      summary: 'recorded by a process that died',
      actor: ALICE,
      platform: 'slack',
      workspace: TEAM,
      replyTo: { responseUrl },
      requestKey: `${TEAM}:trigger-orphaned`,
    };
    await h.schema.pool.query(`INSERT INTO outbox (kind, payload, dedupe_key, run_at, relayed_at) VALUES ('incident.declare', $1, $2, $3, $3)`, [
      payload,
      `declare:slack:${TEAM}:trigger-orphaned`,
      at,
    ]);
    const reply = await h.slack.channelLinkReply(responseUrl, 15_000);
    expect(reply.body.text).toMatch(/^INC-\d+ declared\. Work it in <#C\w+>/);
    const { rows } = await h.schema.pool.query('SELECT title, declared_at, declared_by FROM incidents WHERE id = $1', [id]);
    expect(rows).toEqual([{ title: 'recorded by a process that died', declared_at: at, declared_by: ALICE }]);
    await until(async () => (await recordedDone(id)) !== null, 'the recorded declare to be done', 5_000);
  }, 30_000);

  it('refuses a summary longer than 500 characters at once, and records nothing', async () => {
    const before = await h.schema.pool.query('SELECT count(*)::int AS n FROM incidents');
    const res = await h.command(`pdf-404 ${'x'.repeat(501)}`, ALICE);
    expect(res.body.text).toBe('That summary is 501 characters; keep it to 500. Put the details in the incident channel instead.');
    const after = await h.schema.pool.query('SELECT count(*)::int AS n FROM incidents');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('keeps hostile text as text in the list, the status, the header and the channel topic', async () => {
    const hostile = '<!channel> <https://evil.example|click here> & <@U0BOSS>';
    const res = await h.command(`pdf-404 ${hostile}`, ALICE);
    const reply = await channelReply(h, res.responseUrl);
    const channel = /<#(C\w+)>/.exec(reply.body.text)![1]!;
    const escaped = '&lt;!channel&gt; &lt;https://evil.example|click here&gt; &amp; &lt;@U0BOSS&gt;';

    const list = await h.command('list', ALICE);
    const status = await h.command('status', ALICE, channel);
    const header = h.slack.messagesIn(channel)[0]!;
    for (const shown of [list.body.text, status.body.text, header.text, h.slack.channels.get(channel)!.topic]) {
      expect(shown).toContain(escaped);
      expect(shown).not.toMatch(/<!channel>|<https:\/\/evil|<@U0BOSS>/);
    }
    // Slack reads markup in mrkdwn only; plain_text (the header block's title) is shown as typed.
    const mrkdwnTexts = JSON.stringify(
      header.blocks.flatMap((b: any) => [b.text, ...(b.fields ?? []), ...(b.elements ?? [])]).filter((t: any) => t?.type === 'mrkdwn'),
    );
    expect(mrkdwnTexts).not.toMatch(/<!channel>|<https:\/\/evil|<@U0BOSS>/);
  });
});

describe('a declare while Postgres fails', () => {
  let h: Harness;
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await postgresProxy();
    h = await startHarness({ postgresProxy: proxy });
  });
  afterAll(async () => {
    proxy.heal();
    await h.stop();
    await proxy.stop();
  });

  it('says plainly that it was NOT recorded when Postgres refuses, and gives the runbook to work by hand', async () => {
    proxy.refuse();
    proxy.drop();
    const started = Date.now();
    const res = await h.command('pdf-404 while postgres refuses', ALICE);
    expect(Date.now() - started).toBeLessThan(3_000); // inside Slack's ack deadline
    expect(res.body.text).toMatch(
      /^\*The incident was NOT recorded\*: the database did not take it\. Declare again in a minute, or work the runbook by hand now:\n1\. /,
    );
    proxy.heal();
    const { rows } = await h.schema.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE title = 'while postgres refuses'`);
    expect(rows[0].n).toBe(0);
  });

  it('says it could not confirm, not that it failed, when Postgres stalls mid-declare, and posts the channel once it lands', async () => {
    // Warm the declare pool, so the next declare's statement is sent and then meets the stall.
    const warm = await h.command('pdf-404 warm-up', ALICE);
    expect(warm.body.text).toMatch(/^INC-\d+ declared/);
    await channelReply(h, warm.responseUrl);
    proxy.stall();
    const started = Date.now();
    const res = await h.command('pdf-404 while postgres stalls', ALICE);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(res.body.text).toMatch(/^\*I could not confirm the incident was recorded\*: the database is slow to answer\./);
    proxy.heal();
    // The statement was on its way: it lands, and the declarer gets the channel after all.
    const reply = await channelReply(h, res.responseUrl);
    expect(reply.body.text).toMatch(/^INC-\d+ declared\. Work it in <#C\w+>/);
    const { rows } = await h.schema.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE title = 'while postgres stalls'`);
    expect(rows[0].n).toBe(1);
  }, 30_000);

  it('says a command is not saved yet when Postgres is slower than Slack allows, and confirms once it is', async () => {
    const declared = await h.command('pdf-404 slow acknowledgement', ALICE);
    const reply = await channelReply(h, declared.responseUrl);
    const channel = /<#(C\w+)>/.exec(reply.body.text)![1]!;
    proxy.stall();
    const res = await h.command('ack', ALICE, channel);
    expect(res.body.text).toBe('Not saved yet: the database is slow to answer. I will confirm here once it is recorded; until then, treat it as not done.');
    proxy.heal();
    const confirmed = await h.slack.waitFor(() => h.slack.replies.find((r) => res.responseUrl.endsWith(r.path)), 'the confirmation');
    expect(confirmed.body.text).toMatch(/^You acknowledged INC-\d+\.$/);
    const { rows } = await h.schema.pool.query(`SELECT acknowledged_at FROM incidents WHERE channel_id = $1`, [channel]);
    expect(rows[0].acknowledged_at).toBeInstanceOf(Date);
  }, 30_000);

  it('says a read is only slow, not unsaved, when Postgres is slower than Slack allows, then answers', async () => {
    proxy.stall();
    const res = await h.command('list', ALICE);
    expect(res.body.text).toBe('The database is slow to answer; the answer follows here in a moment.');
    proxy.heal();
    const answer = await h.slack.waitFor(() => h.slack.replies.find((r) => res.responseUrl.endsWith(r.path)), 'the list');
    expect(answer.body.text).toMatch(/^\*Open incidents \(\d+\)\*/);
  }, 30_000);
});
