import { startHarness, type Harness } from '../support/harness';
import { stepButtons } from '../support/slack-blocks';
import { until } from '../support/wait';

const ALICE = 'UALICE01'; // declares; an ordinary, non-admin user
const BOB = 'UBOB0002'; // another responder, non-admin, who joins incident channels
const MALLORY = 'UMALL003'; // non-admin who never joins

describe('declaring and working an incident in Slack', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function declare(text: string, user = ALICE) {
    const res = await h.command(text, user);
    expect(res.status).toBe(200);
    const reply = await h.slack.waitFor(
      () => h.slack.replies.find((r) => res.responseUrl.endsWith(r.path) && /declared/.test(r.body.text)),
      'the declared reply',
    );
    const channel = /<#(C\w+)>/.exec(reply.body.text)![1]!;
    h.slack.join(channel, BOB); // a responder joins the incident channel
    const messages = await h.slack.waitFor(() => {
      const m = h.slack.messagesIn(channel);
      return m.length >= 2 ? m : null;
    }, 'header and checklist');
    return { res, reply, channel, header: messages[0]!, checklist: messages[1]! };
  }

  it('declares from /incident pdf-404: channel, invite, topic, pinned header and checklist', async () => {
    const { res, reply, channel, header, checklist } = await declare('pdf-404 invoices return 404');

    expect(res.body).toEqual(expect.objectContaining({ response_type: 'ephemeral' }));
    expect(res.body.text).toMatch(/^INC-\d+ declared with runbook `pdf-404`.*Opening its channel/);
    expect(reply.body.response_type).toBe('ephemeral');

    const created = h.slack.callsOf('conversations.create')[0]!;
    expect(created.args.name).toMatch(/^inc-\d{8}-pdf-404-\d+$/);
    const ch = h.slack.channels.get(channel)!;
    expect(ch.members.has(ALICE)).toBe(true);
    expect(ch.topic).toMatch(/^INC-\d+ · runbook pdf-404 · invoices return 404$/);

    expect(header.blocks[0].text.text).toMatch(/^INC-\d+ · invoices return 404$/);
    const headerText = JSON.stringify(header.blocks);
    expect(headerText).toContain('Acknowledge');
    expect(headerText).toContain('Resolve');
    expect(headerText).toContain(`<@${ALICE}>`); // commander
    expect(headerText).toContain('https://'); // runbook links
    expect(h.slack.pins).toContainEqual({ channel, ts: header.ts });

    const buttons = stepButtons(checklist.blocks);
    expect(buttons.length).toBe(10);
    expect(buttons.every((b) => b.label === 'Done')).toBe(true);

    // The runbook's checks record their own events (see probes.test.ts); here, the incident's.
    // pdf-404 is SEV2 and its level 1 is due at 0m: the rotation is paged as it is declared. The page is
    // its own job, so it may land just after the checklist does.
    const kinds = async () =>
      (await h.schema.pool.query(`SELECT kind FROM incident_events WHERE kind NOT LIKE 'probe.%' ORDER BY id`)).rows.map((r) => r.kind).sort();
    await until(async () => (await kinds()).includes('escalation.fired'), 'the level-1 page', 10_000);
    expect(await kinds()).toEqual(['escalation.fired', 'incident.channel_opened', 'incident.declared']);
  });

  it('records a step click with who and when, updates the checklist in place, and resolves', async () => {
    const { channel, header, checklist } = await declare('pdf-404 customer PDFs missing');
    const first = stepButtons(checklist.blocks)[0]!;

    expect(await h.click(BOB, channel, checklist.ts, first.actionId, first.value)).toBe(200);
    const updated = await h.slack.waitFor(() => {
      const m = h.slack.messages.get(`${channel}/${checklist.ts}`)!;
      return stepButtons(m.blocks)[0]!.label === 'Reopen' ? m : null;
    }, 'the checklist to show the step done');
    const stepText = updated.blocks.find((b: any) => b.accessory?.action_id === first.actionId).text.text;
    expect(stepText).toMatch(new RegExp(`Done by <@${BOB}> <!date\\^\\d+\\^`));
    expect(h.slack.callsOf('chat.update').some((c) => c.args.ts === checklist.ts)).toBe(true);
    // Ticking a step is not acknowledging: the header still offers Acknowledge.
    expect(JSON.stringify(h.slack.messages.get(`${channel}/${header.ts}`)!.blocks)).toContain('"Acknowledge"');

    // Reopen, and the step shows Done again.
    const reopen = stepButtons(updated.blocks)[0]!;
    await h.click(BOB, channel, checklist.ts, reopen.actionId, reopen.value);
    await h.slack.waitFor(() => stepButtons(h.slack.messages.get(`${channel}/${checklist.ts}`)!.blocks)[0]!.label === 'Done', 'reopened step');

    const res = await h.command('resolve --validated bad deploy rolled back', ALICE, channel);
    expect(res.status).toBe(200);
    // Recorded before the ack, so the answer rides on the ack itself.
    expect(res.body.text).toMatch(/^INC-\d+ resolved, with all 4 quick validation checks confirmed\.$/);
    const finalHeader = await h.slack.waitFor(() => {
      const m = h.slack.messages.get(`${channel}/${header.ts}`)!;
      return JSON.stringify(m.blocks).includes('Resolved') ? m : null;
    }, 'resolved header');
    expect(JSON.stringify(finalHeader.blocks)).toContain('bad deploy rolled back');
    expect(JSON.stringify(finalHeader.blocks)).not.toContain('"Resolve"');
    await h.slack.waitFor(() => stepButtons(h.slack.messages.get(`${channel}/${checklist.ts}`)!.blocks).length === 0, 'checklist closed');

    const { rows } = await h.schema.pool.query(
      `SELECT e.kind, e.actor FROM incident_events e JOIN incidents i ON i.id = e.incident_id
       WHERE i.channel_id = $1 AND e.kind NOT LIKE 'probe.%' AND e.kind <> 'escalation.fired' ORDER BY e.id`,
      [channel],
    );
    expect(rows).toEqual([
      { kind: 'incident.declared', actor: ALICE },
      { kind: 'incident.channel_opened', actor: 'incident-bot' },
      // Ticking steps is not an acknowledgement: nobody acknowledged this one.
      { kind: 'step.completed', actor: BOB },
      { kind: 'step.reopened', actor: BOB },
      { kind: 'incident.resolved', actor: ALICE },
      // pdf-404 is SEV2: resolving it opens the post-mortem in the same transaction.
      { kind: 'postmortem.opened', actor: 'incident-bot' },
    ]);
    const inc = await h.schema.pool.query('SELECT status, resolution, acknowledged_at, resolved_at FROM incidents WHERE channel_id = $1', [channel]);
    expect(inc.rows[0]).toEqual(expect.objectContaining({ status: 'resolved', resolution: 'bad deploy rolled back' }));
  });

  it('records a double click or a replayed click once', async () => {
    const { channel, checklist } = await declare('pdf-404 double click');
    const step = stepButtons(checklist.blocks)[1]!;
    await Promise.all([
      h.click(BOB, channel, checklist.ts, step.actionId, step.value, '1700000000.000001'),
      h.click(BOB, channel, checklist.ts, step.actionId, step.value, '1700000000.000002'),
    ]);
    await h.click(BOB, channel, checklist.ts, step.actionId, step.value, '1700000000.000001'); // replay
    await h.slack.waitFor(() => stepButtons(h.slack.messages.get(`${channel}/${checklist.ts}`)!.blocks)[1]!.label === 'Reopen', 'step done');
    const { rows } = await h.schema.pool.query(
      `SELECT count(*)::int AS n FROM incident_events e JOIN incidents i ON i.id = e.incident_id
       WHERE i.channel_id = $1 AND e.kind = 'step.completed'`,
      [channel],
    );
    expect(rows[0].n).toBe(1);
  });

  it('keeps both of two concurrent clicks on different steps', async () => {
    const { channel, checklist } = await declare('pdf-404 concurrent clicks');
    const [a, , c] = stepButtons(checklist.blocks);
    await Promise.all([h.click(ALICE, channel, checklist.ts, a!.actionId, a!.value), h.click(BOB, channel, checklist.ts, c!.actionId, c!.value)]);
    const final = await h.slack.waitFor(() => {
      const labels = stepButtons(h.slack.messages.get(`${channel}/${checklist.ts}`)!.blocks).map((b) => b.label);
      return labels[0] === 'Reopen' && labels[2] === 'Reopen' ? labels : null;
    }, 'both steps done in the rendered checklist');
    expect(final.filter((l) => l === 'Reopen')).toHaveLength(2);
    const { rows } = await h.schema.pool.query(
      `SELECT s.step_id, s.changed_by FROM checklist_steps s JOIN incidents i ON i.id = s.incident_id
       WHERE i.channel_id = $1 AND s.state = 'done' ORDER BY s.position`,
      [channel],
    );
    expect(rows.map((r) => r.changed_by)).toEqual([ALICE, BOB]);
  });

  it('suggests the closest runbook for a typo and creates nothing', async () => {
    const before = await h.schema.pool.query('SELECT count(*)::int AS n FROM incidents');
    const creates = h.slack.callsOf('conversations.create').length;
    const res = await h.command('pdf-4O4 invoices return 404', ALICE);
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
    expect(res.body.text).toBe(
      'Unknown runbook "pdf-4O4". Did you mean pdf-404? Runbooks: general, pdf-404, queue-failure, storage-permissions, workflow-500. Try `/incident pdf-404 &lt;summary&gt;`. For anything none of them covers, `/incident declare &lt;summary&gt;` uses the general runbook.',
    );
    const after = await h.schema.pool.query('SELECT count(*)::int AS n FROM incidents');
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect(h.slack.callsOf('conversations.create').length).toBe(creates);
  });

  it("refuses a non-admin who tries to resolve someone else's incident, and says who can", async () => {
    const { channel, header } = await declare('pdf-404 permission check');
    const res = await h.command('resolve I think it is fine', BOB, channel);
    const reply = res;
    expect(reply.body.response_type).toBe('ephemeral');
    expect(reply.body.text).toMatch(new RegExp(`Only the commander \\(<@${ALICE}>\\) or an incident admin can resolve INC-\\d+`));
    // The Resolve button is refused the same way, in a reply only the clicker sees.
    const id = (await h.schema.pool.query('SELECT id FROM incidents WHERE channel_id = $1', [channel])).rows[0].id;
    const repliesBefore = h.slack.replies.length;
    expect(await h.click(BOB, channel, header.ts, 'incident.resolve', id)).toBe(200);
    const refusal = await h.slack.waitFor(() => h.slack.replies.slice(repliesBefore).find((r) => /^Only/.test(r.body.text)), 'button refusal');
    expect(refusal.body.response_type).toBe('ephemeral');
    expect(refusal.body.replace_original).toBe(false);
    const { rows } = await h.schema.pool.query('SELECT status FROM incidents WHERE channel_id = $1', [channel]);
    expect(rows[0].status).toBe('declared');
  });

  it('asks someone outside the incident channel to join before ticking steps or acknowledging', async () => {
    const { channel, header, checklist } = await declare('pdf-404 outsider clicks');
    const step = stepButtons(checklist.blocks)[0]!;
    const id = (await h.schema.pool.query('SELECT id FROM incidents WHERE channel_id = $1', [channel])).rows[0].id;
    const before = h.slack.replies.length;
    await h.click(MALLORY, channel, checklist.ts, step.actionId, step.value);
    await h.click(MALLORY, channel, header.ts, 'incident.ack', id);
    const refusals = await h.slack.waitFor(() => {
      const r = h.slack.replies.slice(before);
      return r.length >= 2 ? r : null;
    }, 'two refusals');
    for (const r of refusals) {
      expect(r.body.response_type).toBe('ephemeral');
      expect(r.body.text).toMatch(new RegExp(`^Join <#${channel}> to (tick steps on|acknowledge) INC-\\d+: only people in the incident channel can\\.$`));
    }
    const { rows } = await h.schema.pool.query(
      `SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND kind NOT LIKE 'probe.%' AND kind <> 'escalation.fired'`,
      [id],
    );
    expect(rows[0].n).toBe(2); // declared, channel opened: nothing from the outsider

    h.slack.join(channel, MALLORY);
    await h.click(MALLORY, channel, checklist.ts, step.actionId, step.value);
    await h.slack.waitFor(() => stepButtons(h.slack.messages.get(`${channel}/${checklist.ts}`)!.blocks)[0]!.label === 'Reopen', 'step done after joining');
  });

  it('explains that incident commands need an incident channel', async () => {
    const res = await h.command('ack', BOB, 'CRANDOM1');
    expect(res.body.text).toMatch(/works inside an incident channel.*\/incident list/);
  });

  it('lists open incidents and answers help', async () => {
    const list = await h.command('list', BOB);
    expect(list.body.text).toMatch(/Open incidents \(\d+\)/);
    expect(list.body.text).toContain('permission check');
    const help = await h.command('', BOB);
    expect(help.body.text).toContain('`/incident &lt;runbook&gt; [summary]`');
    expect(help.body.text).toContain('pdf-404');
  });
});
