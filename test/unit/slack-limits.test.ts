import path from 'node:path';
import { checklistMessages, headerMessage, type SlackMessage } from '../../src/adapters/slack/blocks';
import { stepDetailModal } from '../../src/adapters/slack/step-details';
import type { Status } from '../../src/core/incident/model';
import { checklistView, headerView, stepDetailView } from '../../src/core/render/views';
import { loadCatalog } from '../../src/core/runbook/loader';
import type { Runbook } from '../../src/core/runbook/schema';
import { blockProblem, viewProblem } from '../support/fake-slack';
import { makeSnapshot } from '../support/factories';

// Golden checks: every shipped runbook, rendered in each state a responder meets, stays inside
// Slack's documented limits (Block Kit and views reference), and the checklist stays short.
const catalog = loadCatalog(path.resolve(__dirname, '../../playbooks'));
const runbooks: readonly Runbook[] = catalog.all;

const STATES: Array<{ name: string; status: Status; done: (pb: Runbook) => string[] }> = [
  { name: 'new', status: 'declared', done: () => [] },
  { name: 'half done', status: 'acknowledged', done: (pb) => pb.steps.slice(0, Math.ceil(pb.steps.length / 2)).map((s) => s.id) },
  { name: 'all done', status: 'mitigated', done: (pb) => pb.steps.map((s) => s.id) },
  { name: 'resolved', status: 'resolved', done: (pb) => pb.steps.slice(0, 3).map((s) => s.id) },
];

/** Limits Block Kit documents beyond what blockProblem checks. */
function moreProblems(blocks: any[]): string[] {
  const problems: string[] = [];
  for (const b of blocks) {
    if ((b.block_id ?? '').length > 255) problems.push(`block_id ${b.block_id} over 255`);
    if (b.type === 'context' && b.elements.length > 10) problems.push('context with more than 10 elements');
    for (const e of [...(b.type === 'actions' ? b.elements : []), ...(b.accessory ? [b.accessory] : [])]) {
      if ((e.action_id ?? '').length > 255) problems.push(`action_id ${e.action_id} over 255`);
      if ((e.text?.text ?? '').length > 75) problems.push(`button text over 75: ${e.text.text}`);
    }
    if (b.type === 'rich_text') {
      for (const el of b.elements) for (const t of el.elements ?? []) if ((t.text ?? '').length > 4000) problems.push('rich_text element over 4000');
    }
  }
  return problems;
}

/**
 * Roughly how many lines the message takes on screen: a section's lines (a button beside it is
 * one line tall), each line of a rich text block, a row of buttons counted as two lines.
 */
function screenLines(m: SlackMessage): number {
  let lines = 0;
  for (const b of m.blocks as any[]) {
    if (b.type === 'section') lines += Math.max(1, (b.text?.text ?? '').split('\n').length);
    else if (b.type === 'rich_text') lines += JSON.stringify(b).split('\\n').length + b.elements.length;
    else if (b.type === 'actions') lines += 2;
    else lines += 1;
  }
  return lines;
}

describe.each(runbooks.map((pb) => [pb.id, pb] as const))('%s rendered for Slack', (_id, pb) => {
  it.each(STATES.map((s) => [s.name, s] as const))('stays within Slack limits when %s', (_name, state) => {
    const snap = makeSnapshot({ runbook: pb, status: state.status, done: state.done(pb) });
    const messages = [headerMessage(headerView(snap, pb)), ...checklistMessages(checklistView(snap, pb))];
    for (const m of messages) {
      expect(blockProblem(m.blocks)).toBeNull();
      expect(moreProblems(m.blocks)).toEqual([]);
      expect(m.text.length).toBeLessThanOrEqual(4000);
    }
    // Every step is in the checklist, with its own toggle while the incident is open.
    const stepIds = checklistMessages(checklistView(snap, pb)).flatMap((m) => m.blocks.filter((b: any) => String(b.block_id).startsWith('step-') && b.type === 'section'));
    expect(stepIds).toHaveLength(pb.steps.length);
  });

  it('fits one checklist message of about one laptop screen while it is worked', () => {
    for (const state of STATES.slice(0, 2)) {
      const messages = checklistMessages(checklistView(makeSnapshot({ runbook: pb, status: state.status, done: state.done(pb) }), pb));
      expect(messages).toHaveLength(1);
      expect(screenLines(messages[0]!)).toBeLessThanOrEqual(45);
    }
  });

  it('opens every step in a modal Slack accepts', () => {
    const snap = makeSnapshot({ runbook: pb, status: 'acknowledged', done: [pb.steps[0]!.id] });
    for (const step of pb.steps) {
      const view = stepDetailModal(stepDetailView(snap, pb, step.id)!);
      expect(viewProblem(view)).toBeNull();
      expect(moreProblems(view.blocks as any[])).toEqual([]);
    }
  });
});
