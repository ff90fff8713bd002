import { startHarness, type Harness } from '../support/harness';

const DECLARER = 'UDECL001';
const RESPONDER = 'URESP002'; // ordinary non-admin responder
const LEAD = 'ULEAD003';
const ADMIN_IN_GROUP = 'UADMN004'; // admin through the INCIDENT_ADMINS user group

describe('who may do what in an incident channel', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ admins: 'SADMINS1' });
    h.slack.usergroups.set('SADMINS1', [ADMIN_IN_GROUP]);
  });
  afterAll(async () => {
    await h.stop();
  });

  async function declare(text: string) {
    const res = await h.command(text, DECLARER);
    const reply = await h.slack.waitFor(() => h.slack.replies.find((r) => res.responseUrl.endsWith(r.path) && /<#C/.test(r.body.text)), 'declared');
    return /<#(C\w+)>/.exec(reply.body.text)![1]!;
  }

  async function say(text: string, user: string, channel: string): Promise<string> {
    const res = await h.command(text, user, channel);
    expect(res.status).toBe(200);
    // Recorded before the ack, so the answer rides on the ack itself.
    expect(res.body.response_type).toBe('ephemeral');
    return res.body.text;
  }

  const row = async (channel: string) => (await h.schema.pool.query('SELECT * FROM incidents WHERE channel_id = $1', [channel])).rows[0];

  it('lets any responder acknowledge, but only the commander, declarer or an admin change severity and commander', async () => {
    const channel = await declare('queue jobs stuck in pdf-render');
    expect(await say('ack', RESPONDER, channel)).toMatch(/You acknowledged INC-\d+/);
    expect(await say('ack', RESPONDER, channel)).toMatch(/already acknowledged/);

    expect(await say('sev 1', RESPONDER, channel)).toMatch(/^Only the commander \(<@UDECL001>\) or an incident admin can change the severity/);
    expect(await say('commander <@URESP002|resp>', RESPONDER, channel)).toMatch(/^Only the commander/);
    expect((await row(channel)).severity).toBe(2);

    expect(await say('sev 1', DECLARER, channel)).toMatch(/is now SEV1/);
    expect(await say('commander <@ULEAD003|lead>', DECLARER, channel)).toMatch(/<@ULEAD003> now leads INC-\d+/);
    const r = await row(channel);
    expect(r.severity).toBe(1);
    expect(r.commander).toBe(LEAD);
    expect(r.status).toBe('acknowledged');

    // The header follows the stored state.
    await h.slack.waitFor(() => {
      const header = h.slack.messagesIn(channel)[0]!;
      return JSON.stringify(header.blocks).includes('SEV1') && JSON.stringify(header.blocks).includes('<@ULEAD003>');
    }, 'header showing SEV1 and the new commander');
    expect(await say('status', RESPONDER, channel)).toMatch(/INC-\d+\* · SEV1 · acknowledged[\s\S]*Commander: <@ULEAD003>/);
  });

  it("lets an admin from the INCIDENT_ADMINS user group resolve someone else's incident", async () => {
    const channel = await declare('storage bucket denies writes');
    expect(await say('resolve policy restored', RESPONDER, channel)).toMatch(/^Only/);
    expect(await say('resolve --validated policy restored', ADMIN_IN_GROUP, channel)).toMatch(/INC-\d+ resolved/);
    const r = await row(channel);
    expect(r.status).toBe('resolved');
    expect(r.resolution).toBe('policy restored');
    expect(await say('ack', RESPONDER, channel)).toMatch(/already resolved, so you cannot acknowledge it\. If the problem is back, declare a new incident/);
  });

  it('cancels an incident declared by mistake, for its declarer only, and leaves it out of the open list', async () => {
    const channel = await declare('wf-500 oops wrong button');
    expect(await say('cancel wrong runbook', RESPONDER, channel)).toMatch(/^Only/);
    expect(await say('cancel wrong runbook', DECLARER, channel)).toMatch(/cancelled; it is left out of MTTR/);
    const r = await row(channel);
    expect(r.status).toBe('cancelled');
    expect(r.cancelled_at).not.toBeNull();
    expect(await say('list', RESPONDER, 'CGENERAL')).not.toContain('oops wrong button');
  });

  it('records mitigation from /incident mitigate with its time', async () => {
    const channel = await declare('pdf-404 mitigation');
    expect(await say('mitigate', RESPONDER, channel)).toMatch(/marked mitigated/);
    const r = await row(channel);
    expect(r.status).toBe('mitigated');
    expect(r.mitigated_at).not.toBeNull();
  });

  it('retries the channel name with a suffix when it is taken', async () => {
    const { rows } = await h.schema.pool.query(`SELECT coalesce(max(number), 0)::int + 1 AS next FROM incidents`);
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    const taken = `inc-${day}-pdf-404-${rows[0].next}`;
    // Someone else's channel: the bot must not take it over, but pick the next free name.
    h.slack.channels.set('CTAKEN01', { id: 'CTAKEN01', name: taken, topic: '', members: new Set(), creator: 'UHUMAN01' });
    const channel = await declare('pdf-404 name clash');
    expect(h.slack.channels.get(channel)!.name).toBe(`${taken}-2`);
  });

  it('tells the declarer when Slack fails for a moment, retries, then says where it is', async () => {
    h.slack.failNext.set('conversations.create', 'internal_error');
    const res = await h.command('pdf-404 slack hiccup', DECLARER);
    // The first attempt fails and the declarer hears so at once; the retry succeeds.
    const replies = await h.slack.waitFor(
      () => {
        const mine = h.slack.replies.filter((r) => res.responseUrl.endsWith(r.path));
        return mine.length >= 2 ? mine : null;
      },
      'the retry notice and the declared reply',
      15_000,
    );
    expect(replies[0]!.body.text).toMatch(/INC-\d+ is recorded, but I could not open its channel \(internal_error\)\. I keep trying/);
    expect(replies[1]!.body.text).toMatch(/INC-\d+ declared\. Work it in <#C\w+>/);
  });

  it('stops at once on a permanent Slack refusal, names the fix, and sets up again on retry INC-n from any channel', async () => {
    h.slack.failNext.set('conversations.create', 'restricted_action');
    const res = await h.command('pdf-404 no permission to create channels', DECLARER);
    const number = /^INC-(\d+)/.exec(res.body.text)![1];
    const refusal = await h.slack.waitFor(() => h.slack.replies.find((r) => res.responseUrl.endsWith(r.path)), 'the refusal');
    expect(refusal.body.text).toBe(
      `INC-${number} is recorded, but I could not open its channel (restricted_action). I have stopped trying. ` +
        'A Slack workspace setting stops the bot: ask a Slack admin to let apps create and manage public channels. ' +
        `Then run \`/incident retry INC-${number}\`. Meanwhile, work the \`pdf-404\` runbook by hand.`,
    );
    // Tried once, not six times over a minute.
    await new Promise((r) => setTimeout(r, 500));
    expect(h.slack.calls.filter((c) => c.method === 'conversations.create' && c.error === 'restricted_action')).toHaveLength(1);

    // The incident has no channel to type in: retry works from anywhere, for the declarer only.
    expect(await say(`retry INC-${number}`, RESPONDER, 'CGENERAL')).toMatch(
      /^Only the commander \(<@UDECL001>\) or an incident admin can retry the setup of INC-/,
    );
    const retry = await h.command(`retry INC-${number}`, DECLARER, 'CGENERAL');
    expect(retry.body.text).toBe(`Setting up INC-${number} again: its channel and checklist follow here in a moment.`);
    const done = await h.slack.waitFor(
      () => h.slack.replies.find((r) => retry.responseUrl.endsWith(r.path) && /<#C/.test(r.body.text)),
      'the channel after retry',
    );
    expect(done.body.text).toMatch(new RegExp(`^INC-${number} declared\\. Work it in <#C\\w+>`));
    expect(await say(`resolve INC-${number} --validated set up by hand`, DECLARER, 'CGENERAL')).toBe(
      `INC-${number} resolved, with all 4 quick validation checks confirmed.`,
    );
    expect(await say('retry INC-99999', DECLARER, 'CGENERAL')).toBe('There is no INC-99999 in this workspace. Run `/incident list` to see the open ones.');
  });
});
