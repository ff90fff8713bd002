import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startHarness, type Harness } from '../support/harness';

const STEPS = 70;

/** A valid runbook with more steps than one Slack message can hold (50 blocks). */
function longRunbook() {
  return {
    id: 'big-outage',
    title: 'Everything is on fire',
    class: 'platform',
    severity: 1,
    aliases: [],
    summary: 'A runbook long enough to need several Slack messages.',
    owner: 'Platform team',
    links: [{ title: 'Dashboard', url: 'https://grafana.braiflow.example/d/platform' }],
    steps: Array.from({ length: STEPS }, (_, i) => ({
      id: `step-${i + 1}`,
      title: `Check subsystem ${i + 1}`,
      detail: `Open the subsystem ${i + 1} dashboard & compare <error rate> with last week.`,
    })),
    escalation: [{ after: '5m', notify: ['@oncall'] }],
    quick_validation: ['Error rate back to baseline'],
    edge_cases: [{ case: 'Dashboards down', fallback: 'Use the raw logs link' }],
  };
}

describe('a runbook longer than one Slack message', () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'long-runbook-'));
    writeFileSync(path.join(dir, 'big-outage.yaml'), stringify(longRunbook()));
    h = await startHarness({ runbooksDir: dir });
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is posted over several messages that Slack accepts, with every step and a working button on each', async () => {
    const res = await h.command('big-outage the whole platform is down', 'UALICE01');
    const reply = await h.slack.waitFor(() => h.slack.replies.find((r) => res.responseUrl.endsWith(r.path) && /<#C/.test(r.body.text)), 'declared');
    const channel = /<#(C\w+)>/.exec(reply.body.text)![1]!;
    const messages = await h.slack.waitFor(() => {
      const m = h.slack.messagesIn(channel);
      return m.some((x) => x.text.includes('part 2 of 2')) ? m : null;
    }, 'header and two checklist parts');
    const pages = messages.slice(1);
    expect(pages.map((p) => p.text)).toEqual([expect.stringContaining('part 1 of 2'), expect.stringContaining('part 2 of 2')]);
    expect(h.slack.calls.filter((c) => !c.ok)).toEqual([]);

    const buttons = pages.flatMap((p) => p.blocks.filter((b: any) => b.accessory).map((b: any) => ({ ts: p.ts, ...b.accessory })));
    expect(buttons.map((b) => b.action_id)).toEqual(Array.from({ length: STEPS }, (_, i) => `step.step-${i + 1}`));

    h.slack.join(channel, 'UBOB0002');
    const last = buttons[buttons.length - 1]!;
    expect(last.ts).toBe(pages[1]!.ts);
    await h.click('UBOB0002', channel, last.ts, last.action_id, last.value);
    await h.slack.waitFor(() => {
      const page2 = h.slack.messages.get(`${channel}/${pages[1]!.ts}`)!;
      const block = page2.blocks.find((b: any) => b.accessory?.action_id === last.action_id);
      return block?.accessory.text.text === 'Reopen' && /Done by <@UBOB0002>/.test(block.text.text);
    }, 'the last step done on the second message');
    await h.slack.waitFor(
      () => /1 of 70 steps done/.test(h.slack.messages.get(`${channel}/${pages[0]!.ts}`)!.blocks[0].text.text),
      'progress on the first message',
    );

    // A second click changes only what shows it: its own part and the progress on part 1.
    const header = messages[0]!;
    const updatesBefore = h.slack.callsOf('chat.update').length;
    const other = buttons[buttons.length - 2]!;
    await h.click('UBOB0002', channel, other.ts, other.action_id, other.value);
    await h.slack.waitFor(() => /2 of 70 steps done/.test(h.slack.messages.get(`${channel}/${pages[0]!.ts}`)!.blocks[0].text.text), 'progress 2 of 70');
    await h.slack.waitFor(() => h.slack.callsOf('chat.update').length - updatesBefore >= 2, 'two updates');
    const updated = h.slack
      .callsOf('chat.update')
      .slice(updatesBefore)
      .map((c) => c.args.ts);
    expect(updated.sort()).toEqual([pages[0]!.ts, pages[1]!.ts].sort());
    expect(updated).not.toContain(header.ts);
  });
});
