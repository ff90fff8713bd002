import path from 'node:path';
import { checklistMessages, CHARS_PER_PAGE, headerMessage, type SlackMessage } from '../../src/adapters/slack/blocks';
import { followUpMessage } from '../../src/adapters/slack/follow-up-blocks';
import { stepDetailModal } from '../../src/adapters/slack/step-details';
import type { ActionItem, PostmortemStatus, Snapshot, Status } from '../../src/core/model';
import { decodeAction } from '../../src/core/text/actions';
import { followUpView } from '../../src/core/render/follow-up';
import { checklistView, headerView, stepDetailView } from '../../src/core/render/views';
import { loadCatalog } from '../../src/core/runbook/loader';
import type { Runbook } from '../../src/core/runbook/schema';
import { blockProblem, viewProblem } from '../support/fake-slack';
import { COMMANDER, INCIDENT_ID, makePostmortem, makeSnapshot } from '../support/factories';

// Golden checks: every shipped runbook, rendered in each state a responder meets, stays inside
// Slack's documented limits (Block Kit and views reference), and the checklist stays short.
const catalog = loadCatalog(path.resolve(__dirname, '../../playbooks'));
const runbooks: readonly Runbook[] = catalog.all;

const STATES: Array<{ name: string; status: Status; done: (runbook: Runbook) => string[] }> = [
  { name: 'new', status: 'declared', done: () => [] },
  { name: 'half done', status: 'acknowledged', done: (runbook) => runbook.steps.slice(0, Math.ceil(runbook.steps.length / 2)).map((s) => s.id) },
  { name: 'all done', status: 'mitigated', done: (runbook) => runbook.steps.map((s) => s.id) },
  { name: 'resolved', status: 'resolved', done: (runbook) => runbook.steps.slice(0, 3).map((s) => s.id) },
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

describe.each(runbooks.map((runbook) => [runbook.id, runbook] as const))('%s rendered for Slack', (_id, runbook) => {
  it.each(STATES.map((s) => [s.name, s] as const))('stays within Slack limits when %s', (_name, state) => {
    const snap = makeSnapshot({ runbook, status: state.status, done: state.done(runbook) });
    const messages = [headerMessage(headerView(snap, runbook)), ...checklistMessages(checklistView(snap, runbook))];
    for (const m of messages) {
      expect(blockProblem(m.blocks)).toBeNull();
      expect(moreProblems(m.blocks)).toEqual([]);
      expect(m.text.length).toBeLessThanOrEqual(4000);
    }
    // Every step is in the checklist, with its own toggle while the incident is open.
    const stepIds = checklistMessages(checklistView(snap, runbook)).flatMap((m) =>
      m.blocks.filter((b: any) => String(b.block_id).startsWith('step-') && b.type === 'section'),
    );
    expect(stepIds).toHaveLength(runbook.steps.length);
  });

  it('fits one checklist message of about one laptop screen while it is worked', () => {
    for (const state of STATES.slice(0, 2)) {
      const messages = checklistMessages(checklistView(makeSnapshot({ runbook, status: state.status, done: state.done(runbook) }), runbook));
      expect(messages).toHaveLength(1);
      expect(screenLines(messages[0]!)).toBeLessThanOrEqual(45);
    }
  });

  it('opens every step in a modal Slack accepts', () => {
    const snap = makeSnapshot({ runbook, status: 'acknowledged', done: [runbook.steps[0]!.id] });
    for (const step of runbook.steps) {
      const view = stepDetailModal(stepDetailView(snap, runbook, step.id)!);
      expect(viewProblem(view)).toBeNull();
      expect(moreProblems(view.blocks as any[])).toEqual([]);
    }
  });
});

describe('the follow-up message rendered for Slack', () => {
  const runbook = runbooks[0]!;
  const NOW = new Date('2025-04-01T08:00:00Z');
  // Text that would be markup if it were not escaped, and that grows fivefold when it is.
  const HOSTILE = '<!channel> <@U0ADMIN> <https://evil.example|click> *bold* `code` &amp; ' + '&<>'.repeat(60);

  /** 200 open and 50 done items, each as long and as hostile as a person can type. */
  function crowded(status: PostmortemStatus): Snapshot {
    const items: ActionItem[] = Array.from({ length: 250 }, (_v, k) => ({
      number: k + 1,
      text: `${k} ${HOSTILE}`.repeat(3).slice(0, 500),
      owner: k % 4 === 0 ? null : `U${String(k).padStart(8, '0')}`,
      dueOn: k % 5 === 0 ? null : `2025-0${3 + (k % 3)}-${String(1 + (k % 28)).padStart(2, '0')}`,
      createdAt: new Date('2025-03-07T11:00:00Z'),
      createdBy: COMMANDER,
      closedAt: k >= 200 ? new Date(Date.UTC(2025, 2, 10, 0, k)) : null,
      closedBy: k >= 200 ? 'U0BOB0002' : null,
    }));
    return { ...makeSnapshot({ runbook, status: 'resolved', incident: { title: HOSTILE } }), postmortem: makePostmortem(status), actionItems: items };
  }

  const textOf = (m: SlackMessage): string[] =>
    (m.blocks as any[]).flatMap((b) => [b.text?.text ?? '', ...(b.type === 'context' ? b.elements.map((e: any) => e.text) : [])]);

  it.each(['draft', 'in_review', 'published', 'closed'] as const)('stays within Slack limits with 200 open and 50 done hostile items when %s', (status) => {
    const m = followUpMessage(followUpView(crowded(status), runbook, NOW, 'UTC')!);
    expect(blockProblem(m.blocks)).toBeNull();
    expect(moreProblems(m.blocks)).toEqual([]);
    expect(m.text.length).toBeLessThanOrEqual(4000);
    expect(textOf(m).join('').length).toBeLessThanOrEqual(CHARS_PER_PAGE);
    for (const b of m.blocks as any[]) if (b.type === 'actions') expect(b.elements.length).toBeLessThanOrEqual(25);

    // Nothing typed into an item becomes a mention, a link or a broadcast.
    const all = [m.text, ...textOf(m)].join('\n');
    expect(all).not.toMatch(/<!channel>|<@U0ADMIN>|<https:\/\/evil/);
    expect(all).toContain('&lt;!channel&gt;');

    // Every button asks for what its item is, and what is not shown is counted.
    const buttons = (m.blocks as any[]).flatMap((b) => (b.accessory ? [b.accessory] : b.type === 'actions' ? b.elements : []));
    const items = buttons.map((e) => decodeAction(e.value)).filter((p) => p?.a === 'item');
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((p) => p?.a === 'item' && p.i === INCIDENT_ID && p.n <= 200)).toBe(true);
    const doneLines = textOf(m)
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('✅ #')).length;
    const more = /(\d+) more: `\/incident action list`/.exec(textOf(m).join('\n'));
    expect(Number(more?.[1])).toBe(250 - items.length - doneLines);
  });

  it('puts the next lifecycle button beside the post-mortem, once', () => {
    const labels = (status: PostmortemStatus) =>
      (followUpMessage(followUpView(crowded(status), runbook, NOW, 'UTC')!).blocks as any[]).flatMap((b) =>
        b.accessory && decodeAction(b.accessory.value)?.a === 'pm' ? [b.accessory.text.text] : [],
      );
    expect(labels('draft')).toEqual(['Send to review']);
    expect(labels('in_review')).toEqual(['Publish']);
    expect(labels('published')).toEqual([]);
    expect(labels('closed')).toEqual([]);
  });
});
