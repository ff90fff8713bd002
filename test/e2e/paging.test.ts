import { rmSync } from 'node:fs';
import { ENG_INCIDENTS, LEAD, ONCALL, quickLadderDir, seedWorkspace } from '../support/escalation-fixtures';
import { startHarness, type Harness } from '../support/harness';
import { stepButtons } from '../support/slack-blocks';
import { sleep, until } from '../support/wait';

// Paging that reaches a responder: level 1 pages at declare (`after: 0m`), only a responder's
// Acknowledge stops the ladder (working the incident does not), a page's own button acknowledges
// from the direct message, and the on-call declaring their own incident acknowledged it by declaring.

const ALICE = 'UALICE01';
const LEVEL2_MS = 3_000;
const LADDER = [
  { after: '0m', notify: ['@oncall-documents', '@documents-lead'] },
  { after: '3s', notify: ['#eng-incidents'] },
];

/** Slack's text as a person sees it. */
const unescape = (t: string) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('paging that reaches a responder', () => {
  let dir: string;
  let h: Harness;

  beforeAll(async () => {
    dir = quickLadderDir(LADDER);
    h = await startHarness({ runbooksDir: dir });
    seedWorkspace(h.slack);
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function declare(summary: string, by = ALICE) {
    const res = await h.command(`pdf-404 ${summary}`, by);
    const number = Number(/^INC-(\d+) declared/.exec(res.body.text)?.[1]);
    const row = await until(
      async () =>
        (await h.schema.pool.query('SELECT id, channel_id, declared_at FROM incidents WHERE number = $1 AND channel_id IS NOT NULL', [number])).rows[0],
      `INC-${number}'s channel`,
      10_000,
    );
    return { number, id: row.id as string, channel: row.channel_id as string, declaredAt: row.declared_at as Date };
  }

  const fired = async (id: string) =>
    (await h.schema.pool.query(`SELECT level, reason, escalated_at AS at FROM escalations WHERE incident_id = $1 ORDER BY level`, [id])).rows;
  const acknowledged = async (id: string) =>
    (await h.schema.pool.query(`SELECT status, acknowledged_at, acknowledged_via, declared_at FROM incidents WHERE id = $1`, [id])).rows[0];
  const keyed = (channel: string, id: string, key: string) =>
    h.slack.messagesIn(channel).filter((m) => m.metadata?.event_payload.incident_id === id && m.metadata?.event_payload.key === key);
  const buttonOf = (m: { blocks: any[] }, actionId: string) => m.blocks.flatMap((b) => b.elements ?? []).find((e: any) => e.action_id === actionId);

  it('pages level 1 at declare and level 2 on time while the declarer ticks steps', async () => {
    const { number, id, channel, declaredAt } = await declare('declarer works the checklist');
    const checklist = await h.slack.waitFor(() => h.slack.messagesIn(channel).find((m) => stepButtons(m.blocks).length > 0), 'the checklist');
    const step = stepButtons(checklist.blocks)[0]!;
    expect(await h.click(ALICE, channel, checklist.ts, step.actionId, step.value)).toBe(200);
    await until(
      async () => (await h.schema.pool.query(`SELECT 1 FROM incident_events WHERE incident_id = $1 AND kind = 'step.completed'`, [id])).rowCount === 1,
      'the ticked step',
      5_000,
    );
    await until(async () => (await fired(id)).length === 2, 'both levels', LEVEL2_MS + 15_000);
    const levels = await fired(id);
    expect(levels.map((l: any) => [l.level, l.reason])).toEqual([
      [1, 'timeout'],
      [2, 'timeout'],
    ]);
    expect(levels[1].at.getTime()).toBeGreaterThanOrEqual(declaredAt.getTime() + LEVEL2_MS);
    expect(await acknowledged(id)).toMatchObject({ acknowledged_at: null, acknowledged_via: null });
    const callout = await h.slack.waitFor(() => keyed(channel, id, 'escalation:1')[0], 'level 1 in the channel');
    expect(unescape(callout.text)).toContain(`Escalated INC-${number} to level 1 of 2 as it was declared. Paging`);
    expect(buttonOf(callout, 'incident.ack')).toBeDefined();
  });

  it("stops the ladder when a paged person presses the page's Acknowledge in their direct message", async () => {
    const { id } = await declare('the lead answers the page');
    const dm = `D${LEAD.id.slice(1)}`;
    const page = await h.slack.waitFor(() => keyed(dm, id, 'escalation:1')[0], 'the direct message to the lead', 10_000);
    const ack = buttonOf(page, 'incident.ack');
    expect(JSON.parse(ack.value)).toEqual({ a: 'ack', i: id });
    expect(await h.click(LEAD.id, dm, page.ts, ack.action_id, ack.value)).toBe(200);
    await until(async () => (await acknowledged(id)).acknowledged_at !== null, 'the acknowledgement', 5_000);
    expect(await acknowledged(id)).toMatchObject({ status: 'acknowledged', acknowledged_via: 'button' });
    const { rows } = await h.schema.pool.query(`SELECT actor FROM incident_events WHERE incident_id = $1 AND kind = 'incident.acknowledged'`, [id]);
    expect(rows).toEqual([{ actor: LEAD.id }]);
    await sleep(LEVEL2_MS + 1_000);
    expect((await fired(id)).map((l: any) => l.level)).toEqual([1]);
    expect(h.slack.messagesIn(ENG_INCIDENTS).filter((m) => m.metadata?.event_payload.incident_id === id)).toEqual([]);
  });

  it('counts the on-call declaring their own incident as its acknowledgement: nobody is paged', async () => {
    const oncall = ONCALL.members[0]!;
    const { id } = await declare('the on-call saw it first', oncall);
    await until(async () => (await acknowledged(id)).acknowledged_at !== null, 'the acknowledgement by declaring', 10_000);
    const row = await acknowledged(id);
    expect(row).toMatchObject({ status: 'acknowledged', acknowledged_via: 'declare' });
    expect(row.acknowledged_at).toEqual(row.declared_at);
    await sleep(LEVEL2_MS + 1_000);
    expect(await fired(id)).toEqual([]);
  });
});
