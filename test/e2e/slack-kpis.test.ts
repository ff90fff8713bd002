import { startHarness, type Harness } from '../support/harness';

const ALICE = 'UALICE01';

describe('the cause by hand and the KPIs, from Slack', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function declare(summary: string) {
    const res = await h.command(`pdf-404 ${summary}`, ALICE);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    const [header] = await h.slack.waitFor(() => (h.slack.messagesIn(channel).length >= 2 ? h.slack.messagesIn(channel) : null), 'header and checklist');
    return { number: Number(/^INC-(\d+)/.exec(res.body.text)![1]), channel, header: header! };
  }

  it('records the cause from /incident diagnosed, once, and the header stops offering Cause identified', async () => {
    const { number, channel, header } = await declare('cause found in the logs');
    expect(JSON.stringify(header.blocks)).toContain('"Cause identified"');
    expect((await h.command('diagnosed stale CDN path after the deploy', ALICE, channel)).body.text).toBe(`Cause recorded for INC-${number}.`);
    expect((await h.command('diagnosed', ALICE, channel)).body.text).toBe(`INC-${number}'s cause was already recorded.`);
    const { rows } = await h.schema.pool.query(
      `SELECT i.diagnosed_at IS NOT NULL AS diagnosed, (SELECT data->>'cause' FROM incident_events e WHERE e.incident_id = i.id AND e.kind = 'incident.diagnosed') AS cause
         FROM incidents i WHERE number = $1`,
      [number],
    );
    expect(rows).toEqual([{ diagnosed: true, cause: 'stale CDN path after the deploy' }]);
    await h.slack.waitFor(
      () => !JSON.stringify(h.slack.messages.get(`${channel}/${header.ts}`)!.blocks).includes('"Cause identified"'),
      'the header without the button',
    );
  });

  it('records the cause from the header button', async () => {
    const { number, channel, header } = await declare('cause found by clicking');
    const button = header.blocks.flatMap((b) => b.elements ?? []).find((e: any) => e.action_id === 'incident.diagnosed');
    expect(await h.click(ALICE, channel, header.ts, button.action_id, button.value)).toBe(200);
    const diagnosed = async () => (await h.schema.pool.query('SELECT diagnosed_at IS NOT NULL AS d FROM incidents WHERE number = $1', [number])).rows[0].d;
    for (let i = 0; i < 50 && !(await diagnosed()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await diagnosed()).toBe(true);
  });

  it('answers /incident mttr with the figures of the window, privately', async () => {
    const res = await h.command('mttr 7d', ALICE);
    expect(res.body.response_type).toBe('ephemeral');
    expect(res.body.text).toMatch(/^\*Incident KPIs, the last 7 days\*/);
    expect(res.body.text).toMatch(/\*Overall\*: /);
    expect(res.body.text).toContain('`pdf`');
    expect((await h.command('mttr 12d', ALICE)).body.text).toMatch(/Reports cover 7, 30 or 90 days/);
  });
});
