import { PgReports } from '../../src/store/reports';
import { startHarness, type Harness } from '../support/harness';
import { stepButtons } from '../support/slack-blocks';

const ALICE = 'UALICE01'; // declares, so commands the incident; not an admin
const BOB = 'UBOB0002'; // a responder in the channel, neither commander nor declarer

/** Page numbers of the second checklist's messages (see checklistPage in adapters/common/message-sync.ts). */
const SECOND_CHECKLIST = 1000;

describe('switching the runbook of a Slack incident', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  /** The incident's message of this kind and page, found by the metadata the bot puts on it. */
  function message(channel: string, kind: string, page = 0) {
    return h.slack
      .messagesIn(channel)
      .find((m) => m.metadata?.event_type === 'braiflow_incident_message' && m.metadata.event_payload.kind === kind && m.metadata.event_payload.page === page);
  }
  const current = (channel: string, ts: string) => h.slack.messages.get(`${channel}/${ts}`)!;

  async function declare(text: string) {
    const res = await h.command(text, ALICE);
    const reply = await h.slack.waitFor(() => h.slack.replies.find((r) => res.responseUrl.endsWith(r.path) && /<#C/.test(r.body.text)), 'declared');
    const channel = /<#(C\w+)>/.exec(reply.body.text)![1]!;
    h.slack.join(channel, BOB);
    const checklist = await h.slack.waitFor(() => message(channel, 'checklist'), 'the first checklist');
    const header = message(channel, 'header')!;
    const row = (await h.schema.pool.query('SELECT * FROM incidents WHERE channel_id = $1', [channel])).rows[0];
    return { channel, header, checklist, id: row.id as string, row };
  }

  const events = async (id: string, kind: string) =>
    (await h.schema.pool.query('SELECT actor, data FROM incident_events WHERE incident_id = $1 AND kind = $2 ORDER BY id', [id, kind])).rows;

  it('keeps one incident: same channel, clock and commander, the old checklist read-only with its done step, the new one working', async () => {
    const { channel, header, checklist, id, row } = await declare('pdf-404 invoices return 404');
    // Buttons as first posted: a click on one after the switch is a stale click on the old checklist.
    const oldButtons = stepButtons(checklist.blocks);
    const first = oldButtons[0]!;
    await h.click(ALICE, channel, checklist.ts, first.actionId, first.value);
    await h.slack.waitFor(() => stepButtons(current(channel, checklist.ts).blocks)[0]!.label === 'Reopen', 'step 1 done');

    const res = await h.command('runbook storage-permissions app gets 403 from storage', ALICE, channel);
    expect(res.body.text).toMatch(/^INC-\d+ now follows Object storage access denied/);

    // The new checklist is a new message, pinned, with every step's Done button.
    const second = await h.slack.waitFor(() => message(channel, 'checklist', SECOND_CHECKLIST), 'the new checklist');
    expect(second.ts).not.toBe(checklist.ts);
    expect(second.blocks[0].text.text).toMatch(/checklist: Object storage access denied/);
    expect(stepButtons(second.blocks).map((b) => b.label)).toEqual(Array(9).fill('Done'));
    await h.slack.waitFor(() => h.slack.pins.some((p) => p.channel === channel && p.ts === second.ts), 'the new checklist pinned');

    // The old checklist is the same message, updated: no buttons, its done step, and what replaced it.
    const old = await h.slack.waitFor(() => {
      const m = current(channel, checklist.ts);
      return JSON.stringify(m.blocks).includes('Replaced by') ? m : null;
    }, 'the old checklist marked replaced');
    expect(stepButtons(old.blocks)).toEqual([]);
    expect(old.blocks.some((b: any) => b.type === 'actions')).toBe(false);
    const oldText = JSON.stringify(old.blocks);
    expect(oldText).toContain('checklist: Generated PDFs');
    expect(oldText).toContain('(replaced)');
    expect(oldText).toMatch(/Replaced by Object storage access denied.*\(storage-permissions\).*by <@UALICE01>: app gets 403 from storage/);
    expect(oldText).toMatch(/1\. .*Done by <@UALICE01>/);

    // One incident: the header is the same message, now naming the new runbook; one channel.
    const shown = await h.slack.waitFor(() => {
      const m = current(channel, header.ts);
      return JSON.stringify(m.blocks).includes('(storage-permissions)') ? m : null;
    }, 'the header naming the new runbook');
    expect(message(channel, 'header')!.ts).toBe(header.ts);
    expect(JSON.stringify(shown.blocks)).toContain(`<@${ALICE}>`);
    expect(h.slack.callsOf('conversations.create').filter((c) => String(c.args.name).includes(`-${row.number}`))).toHaveLength(1);
    const after = (await h.schema.pool.query('SELECT * FROM incidents WHERE channel_id = $1', [channel])).rows;
    expect(after).toHaveLength(1);
    expect(after[0]).toEqual(
      expect.objectContaining({ id, playbook_id: 'storage-permissions', class: 'storage', declared_at: row.declared_at, commander: ALICE, declared_by: ALICE }),
    );

    const changed = await events(id, 'runbook.changed');
    expect(changed).toEqual([{ actor: ALICE, data: { from: 'pdf-404', to: 'storage-permissions', reason: 'app gets 403 from storage', class: 'storage' } }]);
    // The new runbook's checks run at once.
    expect((await events(id, 'probe.requested')).map((e) => e.data.via)).toEqual(['declare', 'runbook']);

    // A step of the new checklist works, by anyone in the channel; the old checklist stays as it was.
    const storageFirst = stepButtons(second.blocks)[0]!;
    expect(await h.click(BOB, channel, second.ts, storageFirst.actionId, storageFirst.value)).toBe(200);
    await h.slack.waitFor(() => stepButtons(current(channel, second.ts).blocks)[0]!.label === 'Reopen', 'new step 1 done');
    expect(JSON.stringify(current(channel, second.ts).blocks)).toMatch(/Done by <@UBOB0002>/);
    const { rows: steps } = await h.schema.pool.query(
      `SELECT generation, runbook_id, step_id, state, changed_by FROM checklist_steps WHERE incident_id = $1 AND state = 'done' ORDER BY generation`,
      [id],
    );
    expect(steps).toEqual([
      { generation: 1, runbook_id: 'pdf-404', step_id: 'api-baseline', state: 'done', changed_by: ALICE },
      { generation: 2, runbook_id: 'storage-permissions', step_id: 'api-baseline', state: 'done', changed_by: BOB },
    ]);

    // A stale Done from the old checklist (clicked before it re-rendered) ticks nothing in the new one.
    // Both runbooks have a step permissions-and-logs.
    const stale = oldButtons.find((b) => b.actionId === 'step.permissions-and-logs')!;
    await h.click(BOB, channel, checklist.ts, stale.actionId, stale.value);
    await h.slack.waitFor(() => h.slack.replies.some((r) => /from an old message/.test(r.body.text)), 'the stale-button answer');
    const shared = await h.schema.pool.query(
      `SELECT state FROM checklist_steps WHERE incident_id = $1 AND generation = 2 AND step_id = 'permissions-and-logs'`,
      [id],
    );
    expect(shared.rows[0].state).toBe('open');

    // Reports count one incident, under the class it turned out to be.
    expect(await h.command('resolve --validated bucket policy restored', ALICE, channel).then((r) => r.body.text)).toMatch(/resolved/);
    const now = new Date();
    const report = await new PgReports(h.schema.pool).mttr({ since: new Date(now.getTime() - 3_600_000), until: new Date(now.getTime() + 60_000) }, [
      'pdf',
      'storage',
      'queue',
      'workflow',
    ]);
    expect(report.overall.incidents).toBe(1);
    expect(report.classes.map((c) => [c.class, c.incidents])).toEqual([['storage', 1]]);
  });

  it('refuses an unknown runbook, the same runbook, someone not leading the incident and a closed incident', async () => {
    const { channel, id } = await declare('pdf-404 refusals');
    expect((await h.command('runbook storag', ALICE, channel)).body.text).toMatch(
      /^Unknown runbook "storag"\. Did you mean storage-permissions\?.*Try `\/incident runbook storage-permissions &lt;why&gt;`/,
    );
    expect((await h.command('runbook pdf', ALICE, channel)).body.text).toMatch(/^INC-\d+ already follows the pdf-404 runbook\. To switch, name another/);
    // The severity rules: the commander, the declarer or an admin.
    expect((await h.command('runbook storage-permissions', BOB, channel)).body.text).toMatch(
      /^Only the commander \(<@UALICE01>\) or an incident admin can switch the runbook of INC-\d+/,
    );
    expect((await h.command('runbook', ALICE, channel)).body.text).toMatch(/^Name the runbook to switch to/);
    await h.command('resolve --validated false alarm', ALICE, channel);
    expect((await h.command('runbook storage-permissions', ALICE, channel)).body.text).toMatch(/already resolved, so you cannot switch the runbook of it/);
    expect(await events(id, 'runbook.changed')).toEqual([]);
    expect((await h.schema.pool.query('SELECT playbook_id, class FROM incidents WHERE id = $1', [id])).rows[0]).toEqual({
      playbook_id: 'pdf-404',
      class: 'pdf',
    });
  });

  it('switches once however often the command or the header menu is replayed', async () => {
    const { channel, header, id } = await declare('pdf-404 replays');
    const { body } = h.commandBody('runbook storage-permissions replayed by Slack', ALICE, channel);
    expect((await h.send(body)).body.text).toMatch(/now follows/);
    await h.send(body);

    // The header's Switch runbook menu, picked twice with one action_ts.
    const menu = await h.slack.waitFor(() => {
      const actions = current(channel, header.ts).blocks.find((b: any) => b.block_id === 'incident-actions');
      const select = actions?.elements.find((e: any) => e.type === 'static_select');
      const offered = (select?.options ?? []).map((o: any) => o.text.text.split(':')[0]);
      return offered.join() === 'general,pdf-404,queue-failure,workflow-500' ? select : null;
    }, 'the header menu offering the runbooks other than storage-permissions');
    const queue = menu.options.find((o: any) => o.value.includes('queue-failure')).value;
    expect(await h.select(ALICE, channel, header.ts, menu.action_id, queue, '1700000000.000321')).toBe(200);
    expect(await h.select(ALICE, channel, header.ts, menu.action_id, queue, '1700000000.000321')).toBe(200);

    await h.slack.waitFor(() => message(channel, 'checklist', 2 * SECOND_CHECKLIST), 'the third checklist');
    expect((await events(id, 'runbook.changed')).map((e) => [e.data.from, e.data.to])).toEqual([
      ['pdf-404', 'storage-permissions'],
      ['storage-permissions', 'queue-failure'],
    ]);
    const { rows } = await h.schema.pool.query(
      'SELECT generation, count(*)::int AS n FROM checklist_steps WHERE incident_id = $1 GROUP BY generation ORDER BY generation',
      [id],
    );
    expect(rows.map((r) => r.generation)).toEqual([1, 2, 3]);
    // Three checklists, each posted once; the first two read-only.
    await h.slack.waitFor(
      () => JSON.stringify(current(channel, message(channel, 'checklist', SECOND_CHECKLIST)!.ts).blocks).includes('Replaced by Background jobs'),
      'the second checklist marked replaced',
    );
    const checklists = h.slack.messagesIn(channel).filter((m) => m.metadata?.event_payload.kind === 'checklist');
    expect(checklists.map((m) => m.metadata!.event_payload.page)).toEqual([0, SECOND_CHECKLIST, 2 * SECOND_CHECKLIST]);
    expect(checklists.map((m) => stepButtons(current(channel, m.ts).blocks).length > 0)).toEqual([false, false, true]);
  });
});
