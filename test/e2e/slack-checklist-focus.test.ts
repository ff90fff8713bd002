import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { startHarness, type Harness } from '../support/harness';
import { stepButtons } from '../support/slack-blocks';

const ALICE = 'UALICE01';
const BOB = 'UBOB0002';

/** The shipped runbook as written, to compare what Slack shows with what the author wrote. */
const pdf404 = parse(fs.readFileSync(path.resolve(__dirname, '../../playbooks/pdf-404.yaml'), 'utf8'));
const fenced = (detail: string) => [...detail.matchAll(/^```[^\n]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.replace(/\n$/, ''));

/** The step in focus: the one whose full detail is in the message, as a rich_text block. */
const focusOf = (blocks: any[]) =>
  blocks.find((b) => b.type === 'rich_text' && String(b.block_id).startsWith('step-detail-'))?.block_id.slice('step-detail-'.length);
const preformatted = (block: any) =>
  (block.elements as any[]).filter((e) => e.type === 'rich_text_preformatted').map((e) => e.elements.map((t: any) => t.text).join(''));

describe('the 3 a.m. checklist: one step in focus, any step one click away', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function declare(text: string) {
    const res = await h.command(text, ALICE);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    h.slack.join(channel, BOB);
    const [, checklist] = await h.slack.waitFor(() => {
      const m = h.slack.messagesIn(channel);
      return m.length >= 2 ? m : null;
    }, 'header and checklist');
    return { channel, checklist: checklist! };
  }

  const latest = (channel: string, ts: string) => h.slack.messages.get(`${channel}/${ts}`)!.blocks;
  const click = async (channel: string, ts: string, stepId: string) => {
    const b = stepButtons(latest(channel, ts)).find((x) => x.actionId === `step.${stepId}`)!;
    expect(await h.click(BOB, channel, ts, b.actionId, b.value)).toBe(200);
  };

  it('shows the next open step whole and the others short; focus follows ticks and reopens', async () => {
    const { channel, checklist } = await declare('pdf-404 focus moves');
    const [s1, s2] = pdf404.steps;
    expect(focusOf(checklist.blocks)).toBe(s1.id);
    // Every other step shows its title and one line, not its detail.
    const s5 = checklist.blocks.find((b: any) => b.block_id === `step-${pdf404.steps[4].id}`);
    expect(s5.text.text.split('\n')).toHaveLength(2);
    expect(JSON.stringify(checklist.blocks)).not.toContain('step-detail-' + pdf404.steps[4].id);
    expect(checklist.blocks[0].text.text).toMatch(/0 of 10 steps done · next: step 1/);

    await click(channel, checklist.ts, s1.id);
    await h.slack.waitFor(() => focusOf(latest(channel, checklist.ts)) === s2.id, 'focus on step 2');
    const done = latest(channel, checklist.ts).find((b) => b.block_id === `step-${s1.id}`);
    expect(done.text.text).not.toContain('\n'); // a done step folds to one line
    expect(done.text.text).toMatch(new RegExp(`^:white_check_mark: \\*1\\. .* · Done by <@${BOB}> <!date`));

    await click(channel, checklist.ts, s1.id); // Reopen
    await h.slack.waitFor(() => focusOf(latest(channel, checklist.ts)) === s1.id, 'focus back on step 1');
  });

  it('opens any step whole in a modal from its Details button, its commands exactly as written', async () => {
    const { channel, checklist } = await declare('pdf-404 details');
    const step = pdf404.steps.find((s: any) => s.id === 'storage-object');
    const details = checklist.blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : [])).find((e: any) => e.action_id === `details.${step.id}`);
    expect(details.text.text).toBe(String(pdf404.steps.indexOf(step) + 1));

    expect(await h.click(BOB, channel, checklist.ts, details.action_id, details.value)).toBe(200);
    const { view } = await h.slack.waitFor(() => h.slack.views.at(-1), 'the modal');
    expect(view.title.text).toBe(`Step ${pdf404.steps.indexOf(step) + 1} of 10`);
    const detail = view.blocks.find((b: any) => b.type === 'rich_text');
    const code = fenced(step.detail);
    expect(code.length).toBeGreaterThan(0);
    expect(preformatted(detail)).toEqual(code);
  });
});
