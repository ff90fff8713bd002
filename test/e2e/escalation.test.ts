import { rmSync } from 'node:fs';
import { jobIdFor } from '../../src/jobs/kinds';
import { verifyWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/webhooks/signature';
import {
  declareWithChannel,
  ENG_INCIDENTS,
  LEAD,
  ONCALL,
  pagerEnv,
  quickLadderDir,
  seedWorkspace,
  WEBHOOK_SECRET,
  webhookReceiver,
} from '../support/escalation-fixtures';
import { startHarness, type Harness } from '../support/harness';
import { sleep, until } from '../support/wait';

const ALICE = 'UALICE01';
const LEVEL1_MS = 2_000;
const LEVEL2_MS = 4_000;

/** Slack's text as a person sees it. */
const unescape = (t: string) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('the escalation ladder', () => {
  let dir: string;
  let h: Harness;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;

  beforeAll(async () => {
    dir = quickLadderDir();
    hook = await webhookReceiver();
    // A short sweep, so a job Redis lost is found within seconds rather than half a minute.
    h = await startHarness({ runbooksDir: dir, env: pagerEnv(hook.url), sweeps: { vanishedAfterMs: 1_000 } });
    seedWorkspace(h.slack);
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
    await hook?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const declare = (summary: string) => declareWithChannel(h, summary, ALICE);

  const fired = async (id: string) =>
    (await h.schema.pool.query(`SELECT level, reason, escalated_by AS by, escalated_at AS at FROM escalations WHERE incident_id = $1 ORDER BY level`, [id]))
      .rows;
  const paged = (channel: string) => h.slack.messagesIn(channel).filter((m) => /^⬆️ Escalated/.test(unescape(m.text)));
  const hooksFor = (id: string) => hook.received.filter((r) => JSON.parse(r.body).incident?.id === id);

  it('climbs by itself: level 1, then level 2, each recorded once, delivered to every target and signed for the webhook', async () => {
    const { number, id, channel, declaredAt } = await declare('nobody answers');
    await until(async () => (await fired(id)).length === 2, 'both levels to fire', LEVEL2_MS + 15_000);
    const levels = await fired(id);
    expect(levels.map((l: any) => [l.level, l.reason, l.by])).toEqual([
      [1, 'timeout', null],
      [2, 'timeout', null],
    ]);
    // Each at or after its due time.
    expect(levels[0].at.getTime()).toBeGreaterThanOrEqual(declaredAt.getTime() + LEVEL1_MS);
    expect(levels[1].at.getTime()).toBeGreaterThanOrEqual(declaredAt.getTime() + LEVEL2_MS);

    // The channel names each level's targets once, and says which one could not be reached.
    const [one, two] = await h.slack.waitFor(() => (paged(channel).length === 2 ? paged(channel) : null), 'both levels in the channel', 10_000);
    expect(unescape(one!.text)).toContain(`Escalated INC-${number} to level 1 of 2: nobody acknowledged it within 2 seconds.`);
    expect(one!.text).toContain(`<!subteam^${ONCALL.id}>`);
    expect(two!.text).toContain(`<@${LEAD.id}>`);
    expect(two!.text).toContain(`<#${ENG_INCIDENTS}>`);
    const unreachable = await h.slack.waitFor(() => h.slack.messagesIn(channel).find((m) => /@nobody-here/.test(m.text)), 'the unreachable target');
    expect(unescape(unreachable.text)).toMatch(/escalation\.1\.notify/);
    // The rotation and the lead are brought into the incident channel; the lead is told privately.
    const members = h.slack.channels.get(channel)!.members;
    for (const u of [...ONCALL.members, LEAD.id]) expect(members.has(u)).toBe(true);
    expect(h.slack.callsOf('chat.postMessage').filter((c) => /^D/.test(String(c.args.channel)) && String(c.args.text).includes(`<#${channel}>`))).toHaveLength(
      1,
    );
    expect(h.slack.messagesIn(ENG_INCIDENTS).filter((m) => m.text.includes(`<#${channel}>`))).toHaveLength(1);

    // The webhook heard level 1, signed.
    const calls = await until(async () => (hooksFor(id).length >= 1 ? hooksFor(id) : null), 'the webhook call', 10_000);
    expect(calls).toHaveLength(1);
    const { headers, body } = calls[0]!;
    expect(verifyWebhookSignature(WEBHOOK_SECRET, headers[TIMESTAMP_HEADER] as string, body, headers[SIGNATURE_HEADER] as string)).toBe(true);
    expect(
      verifyWebhookSignature(WEBHOOK_SECRET, headers[TIMESTAMP_HEADER] as string, body.replace('"level":1', '"level":2'), headers[SIGNATURE_HEADER] as string),
    ).toBe(false);
    expect(JSON.parse(body)).toMatchObject({ event: 'escalation.fired', level: 1, reason: 'timeout', incident: { id, number } });

    // The header says where the ladder stands.
    const header = h.slack.messagesIn(channel)[0]!;
    await h.slack.waitFor(
      () => JSON.stringify(h.slack.messages.get(`${channel}/${header.ts}`)!.blocks).includes('Level 2 paged'),
      'the header to show level 2',
    );
    const { rows } = await h.schema.pool.query(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND kind = 'escalation.fired'`, [id]);
    expect(rows[0].n).toBe(2);
  });

  it('fires nothing when someone acknowledges before level 1', async () => {
    const { id, channel } = await declare('answered at once');
    expect((await h.command('ack', ALICE, channel)).body.text).toMatch(/You acknowledged INC-\d+\./);
    await sleep(LEVEL2_MS + 2_000);
    expect(await fired(id)).toEqual([]);
    expect(paged(channel)).toEqual([]);
    expect(hooksFor(id)).toEqual([]);
  });

  it('stops when the incident is resolved, and tells the webhook it is over', async () => {
    const { id, channel } = await declare('fixed quickly');
    await until(async () => (await fired(id)).length === 1, 'level 1', LEVEL1_MS + 10_000);
    expect((await h.command('resolve --validated rolled back', ALICE, channel)).body.text).toMatch(/resolved/);
    await sleep(LEVEL2_MS);
    expect((await fired(id)).map((l: any) => l.level)).toEqual([1]);
    const resolved = await until(async () => hooksFor(id).find((r) => JSON.parse(r.body).event === 'incident.resolved'), 'the resolve call', 10_000);
    expect(JSON.parse(resolved.body)).toMatchObject({ event: 'incident.resolved', incident: { id, status: 'resolved' } });
  });

  it('steps up at once on /incident escalate, with who asked and why', async () => {
    const { number, id, channel } = await declare('need more hands');
    const res = await h.command('escalate the documents lead knows this code', ALICE, channel);
    expect(res.body.text).toBe(`INC-${number} escalated to level 1: its targets are paged in the incident channel.`);
    expect(await fired(id)).toEqual([expect.objectContaining({ level: 1, reason: 'manual', by: ALICE })]);
    const msg = await h.slack.waitFor(() => paged(channel)[0], 'the manual level in the channel');
    expect(unescape(msg.text)).toContain(`<@${ALICE}> asked for help (“the documents lead knows this code”)`);
    // Asking for help is not an acknowledgement: the ladder climbs on by itself, level 2 at its time.
    await until(async () => (await fired(id)).length === 2, 'level 2 on time', LEVEL2_MS + 10_000);
    expect((await fired(id)).map((l: any) => [l.level, l.reason])).toEqual([
      [1, 'manual'],
      [2, 'timeout'],
    ]);
  });

  it('steps up from the Escalate button on the header, for someone in the channel', async () => {
    const { id, channel } = await declare('paged from the button');
    const BOB = 'UBOB0002';
    h.slack.join(channel, BOB);
    const header = await h.slack.waitFor(() => (h.slack.messagesIn(channel).length >= 2 ? h.slack.messagesIn(channel)[0] : null), 'the header');
    const button = header.blocks.flatMap((b) => b.elements ?? []).find((e: any) => e.action_id === 'incident.escalate');
    expect(button.confirm.title.text).toBe('Page level 1 now?');
    expect(await h.click(BOB, channel, header.ts, button.action_id, button.value)).toBe(200);
    await until(async () => (await fired(id)).length === 1, 'the level to fire', 5_000);
    expect(await fired(id)).toEqual([expect.objectContaining({ level: 1, reason: 'manual', by: BOB })]);
  });

  it('fires a level whose delayed job Redis lost, once, from what Postgres holds', async () => {
    const { id } = await declare('redis forgot');
    const jobId = jobIdFor(`${id}:escalation:1:due`);
    const job = await until(async () => h.runtime.queues.queues.escalations.getJob(jobId), 'the delayed level-1 job', 5_000);
    await job.remove();
    await until(async () => (await fired(id)).length === 1, 'level 1 after the sweep found its job missing', LEVEL1_MS + 15_000);
    await sleep(500);
    expect((await fired(id)).map((l: any) => l.level)).toEqual([1]);
  });
});
