import { startHarness, type Harness } from '../support/harness';
import { stepButtons } from '../support/slack-blocks';
import { until } from '../support/wait';

const ALICE = 'UALICE01';
const BOB = 'UBOB0002';

/** How the bot takes Slack's answers and Slack's requests when they are not the happy path. */
describe('Slack saying wait, no, or sending what it should not', () => {
  let h: Harness;
  beforeAll(async () => {
    // A sweep that looks every 200 ms, so a stranded incident is seen within the test.
    h = await startHarness({ sweeps: { setupGraceMs: 0, setupIntervalMs: 200 } });
  });
  afterAll(async () => {
    await h.stop();
  });

  async function declare(summary: string) {
    const res = await h.command(`pdf-404 ${summary}`, ALICE);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    const [header, checklist] = await h.slack.waitFor(() => {
      const m = h.slack.messagesIn(channel);
      return m.length >= 2 ? m : null;
    }, 'header and checklist');
    return { channel, header: header!, checklist: checklist! };
  }

  it('waits as long as Retry-After says when Slack rate-limits an update, then updates once', async () => {
    const { channel, header, checklist } = await declare('rate limited update');
    const before = h.slack.calls.length;
    h.slack.rateLimitNext.set('chat.update', 1);
    const step = stepButtons(checklist.blocks)[0]!;
    const clicked = Date.now();
    expect(await h.click(ALICE, channel, checklist.ts, step.actionId, step.value)).toBe(200);
    await h.slack.waitFor(() => stepButtons(h.slack.messages.get(`${channel}/${checklist.ts}`)!.blocks)[0]!.label === 'Reopen', 'the update', 10_000);
    expect(Date.now() - clicked).toBeGreaterThanOrEqual(1_000);
    // Ticking a step does not acknowledge, so only the checklist changes: its update meets the
    // limit, the render waits it out and then updates it once.
    const updates = h.slack.calls.slice(before).filter((c) => c.method === 'chat.update');
    expect(updates.map((c) => [c.args.ts === header.ts ? 'header' : 'checklist', c.error ?? 'ok'])).toEqual([
      ['checklist', 'ratelimited'],
      ['checklist', 'ok'],
    ]);
  });

  it('refuses a button clicked outside the incident channel, and records nothing', async () => {
    const { channel, checklist } = await declare('forged click');
    const step = stepButtons(checklist.blocks)[1]!;
    expect(await h.click(BOB, 'COTHER01', checklist.ts, step.actionId, step.value)).toBe(200);
    const refusal = await h.slack.waitFor(() => h.slack.replies.find((r) => /This button belongs to INC-\d+/.test(r.body.text ?? '')), 'the refusal');
    expect(refusal.body.text).toMatch(new RegExp(`^This button belongs to INC-\\d+ in <#${channel}>\\. Use it there, where the incident is worked\\.$`));
    expect(refusal.body.response_type).toBe('ephemeral');
    const { rows } = await h.schema.pool.query(
      `SELECT count(*)::int AS n FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.channel_id = $1 AND e.kind LIKE 'step.%'`,
      [channel],
    );
    expect(rows[0].n).toBe(0);
  });

  it('sets up again by itself an incident whose setup Slack refused for good, once Slack allows it', async () => {
    h.slack.failNext.set('conversations.create', 'restricted_action');
    const res = await h.command('pdf-404 stranded until the sweep', ALICE);
    const number = /^INC-(\d+)/.exec(res.body.text)![1];
    // The refusal stops the job at once; the sweep finds the incident with no channel and nothing
    // running, and queues its setup again (the workspace now allows it: failNext was one call).
    // The ack comes once the declare is recorded; the incident is made right after it.
    const id: string = await until(
      async () => (await h.schema.pool.query('SELECT id FROM incidents WHERE number = $1', [number])).rows[0]?.id,
      'the incident',
      5_000,
    );
    const rows = [{ id }] as const;
    let channelId: string | null = null;
    for (const deadline = Date.now() + 10_000; !channelId && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      channelId = (await h.schema.pool.query('SELECT channel_id FROM incidents WHERE id = $1', [rows[0].id])).rows[0].channel_id;
    }
    expect(channelId).toMatch(/^C\w+$/);
    // Header and checklist; the level-1 page at declare follows them as a notice of its own.
    await h.slack.waitFor(
      () => h.slack.messagesIn(channelId!).filter((m) => m.metadata?.event_type === 'braiflow_incident_message').length === 2,
      'its header and checklist',
    );
    const events = await h.schema.pool.query(`SELECT actor, data FROM incident_events WHERE incident_id = $1 AND kind = 'incident.setup_retried'`, [
      rows[0].id,
    ]);
    expect(events.rows).toEqual([{ actor: 'incident-bot', data: { by: 'sweep' } }]);
  });
});
