/**
 * A request sent twice is one request. Slack's signed bodies stay valid for five minutes and a
 * proxy or an attacker on the path can send one again; Teams activities carry their id. A replay
 * of anything that changed an incident must record nothing new and call nobody again.
 */
import { rmSync } from 'node:fs';
import { declareWithChannel, pagerEnv, quickLadderDir, seedWorkspace, webhookReceiver } from '../support/escalation-fixtures';
import { formsOf as forms, startConsoleHarness, type ConsoleHarness } from '../support/console-harness';
import { startHarness, type Harness } from '../support/harness';
import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { alice, GENERAL_CHANNEL, teamsMessageId } from '../support/teams-activities';
import { sleep, until } from '../support/wait';

jest.setTimeout(60_000);

const ALICE = 'UALICE01';
// Levels far enough away that only a person's escalate fires one within the test.
const LADDER = [
  { after: '30m', notify: ['@oncall-documents', 'webhook:pager'] },
  { after: '60m', notify: ['@documents-lead', 'webhook:pager'] },
];

describe('Slack', () => {
  let dir: string;
  let h: Harness;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;

  beforeAll(async () => {
    dir = quickLadderDir(LADDER);
    hook = await webhookReceiver();
    h = await startHarness({ runbooksDir: dir, env: pagerEnv(hook.url) });
    seedWorkspace(h.slack);
  });
  afterAll(async () => {
    await h?.stop();
    await hook?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const declare = (summary: string) => declareWithChannel(h, summary, ALICE);
  const levels = async (id: string) =>
    (await h.schema.pool.query('SELECT level FROM escalations WHERE incident_id = $1 ORDER BY level', [id])).rows.map((r) => r.level);
  const events = async (id: string, kind: string) =>
    (await h.schema.pool.query('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND kind = $2', [id, kind])).rows[0].n as number;
  const hooksFor = (id: string) => hook.received.filter((r) => JSON.parse(r.body).incident?.id === id);

  it('a replayed /incident escalate pages no second level and calls the webhook once', async () => {
    const { number, id, channel } = await declare('replayed escalate');
    const { body } = h.commandBody('escalate need the documents team', ALICE, channel);
    const first = await h.send(body);
    expect(first.body.text).toBe(`INC-${number} escalated to level 1: its targets are paged in the incident channel.`);
    // The same signed body again, as a replay within Slack's five-minute window sends it.
    const again = await h.send(body);
    expect(again.status).toBe(200);
    expect(again.body.text).toBe(`INC-${number} escalated to level 1: its targets are paged in the incident channel.`);
    await until(async () => hooksFor(id).length >= 1, 'the webhook call', 10_000);
    await sleep(1_000);
    expect(await levels(id)).toEqual([1]);
    expect(await events(id, 'escalation.fired')).toBe(1);
    expect(hooksFor(id)).toHaveLength(1);
    // A new request (another trigger_id) still steps up: only the replay is refused.
    expect((await h.command('escalate still stuck', ALICE, channel)).body.text).toBe(
      `INC-${number} escalated to level 2: its targets are paged in the incident channel.`,
    );
    expect(await levels(id)).toEqual([1, 2]);
  });

  it('a replayed severity change does not undo a later one', async () => {
    const { id, channel } = await declare('replayed severity');
    const sev1 = h.commandBody('sev 1', ALICE, channel).body;
    expect((await h.send(sev1)).body.text).toMatch(/is now SEV1/);
    expect((await h.command('sev 2', ALICE, channel)).body.text).toMatch(/is now SEV2/);
    await h.send(sev1);
    const { rows } = await h.schema.pool.query('SELECT severity FROM incidents WHERE id = $1', [id]);
    expect(rows[0].severity).toBe(2);
    expect(await events(id, 'incident.severity_changed')).toBe(2);
  });

  it('a replayed Escalate click (the same action_ts) fires one level', async () => {
    const { id, channel } = await declare('replayed click');
    const header = await h.slack.waitFor(() => (h.slack.messagesIn(channel).length >= 2 ? h.slack.messagesIn(channel)[0] : null), 'the header');
    const button = header.blocks.flatMap((b) => b.elements ?? []).find((e: any) => e.action_id === 'incident.escalate');
    const actionTs = `${Date.now() / 1000}`;
    expect(await h.click(ALICE, channel, header.ts, button.action_id, button.value, actionTs)).toBe(200);
    await until(async () => (await levels(id)).length === 1, 'level 1', 5_000);
    expect(await h.click(ALICE, channel, header.ts, button.action_id, button.value, actionTs)).toBe(200);
    await sleep(1_000);
    expect(await levels(id)).toEqual([1]);
    expect(await events(id, 'escalation.fired')).toBe(1);
  });
});

describe('Teams', () => {
  let dir: string;
  let t: TeamsHarness;
  beforeAll(async () => {
    dir = quickLadderDir([
      { after: '30m', notify: ['@bob'] },
      { after: '60m', notify: ['@carol'] },
    ]);
    t = await startTeamsHarness({ runbooksDir: dir });
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the same activity id sent twice escalates once', async () => {
    await t.say('incident pdf-404 replayed in Teams', alice, { channel: GENERAL_CHANNEL });
    const thread = (await t.connector.waitFor(() => [...t.connector.created.values()].find((c) => c.id.includes(';messageid=')), 10_000)).id;
    // The thread exists before setup records it as the incident's room; a command waits for that.
    await until(
      async () => (await t.schema.pool.query('SELECT 1 FROM incidents WHERE channel_id = $1', [thread])).rowCount === 1,
      'the thread recorded as the room',
      10_000,
    );
    const id = teamsMessageId();
    expect((await t.say('escalate need help', alice, { conversationId: thread, id })).status).toBe(200);
    expect((await t.say('escalate need help', alice, { conversationId: thread, id })).status).toBe(200);
    await t.connector.waitFor(
      () => t.connector.messages(thread).find((m) => /^⬆️ Escalated INC-\d+ to level 1/.test(m.activity.text ?? '')),
      10_000,
      'level 1 in the thread',
    );
    await sleep(1_000);
    const { rows } = await t.schema.pool.query('SELECT level FROM escalations');
    expect(rows).toEqual([{ level: 1 }]);
    expect(t.connector.messages(thread).filter((m) => /^⬆️ Escalated/.test(m.activity.text ?? ''))).toHaveLength(1);
  });
});

describe('the console', () => {
  let dir: string;
  let c: ConsoleHarness;
  beforeAll(async () => {
    dir = quickLadderDir(LADDER.map((l) => ({ ...l, notify: ['@ben'] })));
    c = await startConsoleHarness({ runbooksDir: dir });
  });
  afterAll(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the same form sent twice (a command, then a button) escalates once each', async () => {
    const client = c.client();
    const list = forms((await client.get('/console')).body).find((f) => f.action === '/console/command')!;
    const declared = await client.post('/console/command', { ...list.fields, text: '/incident pdf-404 console replay' });
    const page = (await client.get(declared.location!)).body;
    const { rows } = await c.schema.pool.query('SELECT id FROM incidents');
    const id = rows[0].id as string;
    const levels = async () =>
      (await c.schema.pool.query('SELECT level FROM escalations WHERE incident_id = $1 ORDER BY level', [id])).rows.map((r) => r.level);

    const box = forms(page).find((f) => f.action === '/console/command')!;
    expect(box.fields.request).toMatch(/^[0-9a-f-]{36}$/);
    for (let i = 0; i < 2; i++) expect((await client.post('/console/command', { ...box.fields, text: 'escalate need help' })).status).toBe(303);
    expect(await levels()).toEqual([1]);

    const button = forms((await client.get(declared.location!)).body).find((f) => f.label === 'Escalate')!;
    expect(button.fields.request).toMatch(/^[0-9a-f-]{36}$/);
    for (let i = 0; i < 2; i++) expect((await client.post('/console/click', button.fields)).status).toBe(303);
    expect(await levels()).toEqual([1, 2]);
  });
});
