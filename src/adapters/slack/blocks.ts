import { encodeAction, type ActionPayload } from '../../core/text/actions';
import { probeMark, type ActionView, type ChecklistItemView, type ChecklistView, type EdgeCaseView, type HeaderView, type ProbeView } from '../../core/render/views';
import { edgeCaseMarkup } from '../../core/render/edge-cases';
import { escape, mention, mrkdwn, safeUrl, slackTime, truncate } from './format';
import { markupPlainText } from '../../core/runbook/markup';
import { richTextBlock } from './rich-text';

// Slack's documented limits (Block Kit reference).
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  headerText: 150,
  actionsElements: 25,
  selectOptions: 100,
  optionText: 75,
};

// Room left per checklist message after its heading, divider, "continued" note and the Details
// row (a context line and up to two rows of buttons).
const STEP_BLOCKS_PER_PAGE = SLACK_LIMITS.blocksPerMessage - 6;
// Slack truncates very long messages; keep each page well inside that.
export const CHARS_PER_PAGE = 12_000;

export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

export function headerMessage(v: HeaderView): SlackMessage {
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: truncate(v.heading, SLACK_LIMITS.headerText), emoji: true } },
    {
      type: 'section',
      fields: v.fields.map((f) => ({ type: 'mrkdwn', text: `*${escape(f.label)}*\n${mrkdwn(f.value)}` })),
    },
  ];
  if (v.links.length > 0) {
    const links = v.links.map((l) => (safeUrl(l.url) ? `<${l.url}|${escape(l.title)}>` : escape(l.title)));
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links.join(' · ') }] });
  }
  if (v.checks.length > 0) {
    const lines = v.checks.map(probeLine);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Checks*\n${lines.join('\n')}`, SLACK_LIMITS.sectionText) } });
  }
  if (v.closingNote) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(v.closingNote) } });
  const menu = v.switchRunbook && v.switchRunbook.length > 0 ? [switchRunbookMenu(v.switchRunbook)] : [];
  if (v.actions.length + menu.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: 'incident-actions',
      elements: [...v.actions.map((a) => button(a)), ...menu],
    });
  }
  // The notification text is mrkdwn too: escaped, so a summary cannot ping @channel from a preview.
  return { text: escape(v.summary), blocks };
}

/** The header's "Switch runbook" menu: picking one switches, after a confirmation. */
function switchRunbookMenu(choices: ActionView[]): Record<string, unknown> {
  return {
    type: 'static_select',
    action_id: SWITCH_RUNBOOK_ACTION,
    placeholder: { type: 'plain_text', text: 'Switch runbook' },
    options: choices.slice(0, SLACK_LIMITS.selectOptions).map((c) => ({
      text: { type: 'plain_text', text: truncate(c.label, SLACK_LIMITS.optionText) },
      value: encodeAction(c.payload),
    })),
    confirm: {
      title: { type: 'plain_text', text: 'Switch runbook?' },
      text: { type: 'plain_text', text: 'The incident keeps its channel, clock and timeline; the new checklist is posted and the old one stays, read-only.' },
      confirm: { type: 'plain_text', text: 'Switch' },
      deny: { type: 'plain_text', text: 'Not yet' },
    },
  };
}

export const SWITCH_RUNBOOK_ACTION = 'incident.runbook';

/**
 * Splits the checklist over as many messages as Slack's limits need. Every step appears in
 * exactly one page, in order; nothing is dropped to make a runbook fit.
 */
export function checklistMessages(v: ChecklistView): SlackMessage[] {
  const pages: ChecklistItemView[][] = [];
  let current: ChecklistItemView[] = [];
  let blockCount = 0;
  let chars = 0;
  for (const item of v.items) {
    const blocks = stepBlocks(item).length;
    const size = stepSize(item);
    if (current.length > 0 && (blockCount + blocks > STEP_BLOCKS_PER_PAGE || chars + size > CHARS_PER_PAGE || current.length >= 2 * SLACK_LIMITS.actionsElements)) {
      pages.push(current);
      current = [];
      blockCount = 0;
      chars = 0;
    }
    current.push(item);
    blockCount += blocks;
    chars += size;
  }
  if (current.length > 0) pages.push(current);

  return pages.map((items, p) => {
    const part = pages.length > 1 ? ` (part ${p + 1} of ${pages.length})` : '';
    // Progress only on the first part: a click then changes its own part and the first, not every part.
    const progress = p === 0 ? `\n${v.progress.done} of ${v.progress.total} steps done${focusNote(v)}` : '';
    const heading = `*${escape(v.heading)}*${part}${progress}`;
    // A replaced checklist says so under its heading and keeps no buttons, Details included: they
    // would open the current runbook's step of the same id.
    const replaced = v.replaced && p === 0 ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(v.replaced) }] }] : [];
    const blocks: Array<Record<string, unknown>> = [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(heading, SLACK_LIMITS.sectionText) } },
      ...replaced,
      { type: 'divider' },
      ...items.flatMap(stepBlocks),
      ...(v.replaced ? [] : detailsRow(v.incidentId, items)),
    ];
    if (p < pages.length - 1) {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Continued in the next message (part ${p + 2}).` }] });
    }
    return { text: escape(p === 0 ? `${v.heading}${part}: ${v.progress.done}/${v.progress.total} done` : `${v.heading}${part}`), blocks };
  });
}

function focusNote(v: ChecklistView): string {
  const item = v.items.find((x) => x.stepId === v.focus);
  return item ? ` · next: step ${item.number}` : '';
}

/**
 * Every step's full detail, one click away, in one compact row of numbered buttons: a Details
 * button beside each step would double the checklist's height.
 */
function detailsRow(incidentId: string, items: ChecklistItemView[]): Array<Record<string, unknown>> {
  if (items.length === 0) return [];
  const rows: Array<Record<string, unknown>> = [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'Full detail of a step:' }] }];
  for (let at = 0; at < items.length; at += SLACK_LIMITS.actionsElements) {
    rows.push({
      type: 'actions',
      block_id: `step-details-${items[at]!.stepId}`,
      elements: items.slice(at, at + SLACK_LIMITS.actionsElements).map((item) => ({
        type: 'button',
        action_id: detailsActionId(item.stepId),
        text: { type: 'plain_text', text: String(item.number) },
        value: incidentId,
      })),
    });
  }
  return rows;
}

export const DETAILS_ACTION_PREFIX = 'details.';

export function detailsActionId(stepId: string): string {
  return `${DETAILS_ACTION_PREFIX}${stepId}`;
}

/** A probe and its latest result, on one line: the check, its mark, what it found and when. */
export function probeLine(p: ProbeView): string {
  const title = `_${escape(p.title)}_`;
  if (!p.last) return `${probeMark(null)} ${title}: not run yet`;
  if (p.last.status === 'queued') return `${probeMark('queued')} ${title}: running… (${slackTime(p.last.at)})`;
  return `${probeMark(p.last.status)} ${title}: ${escape(truncate(p.last.reason ?? '', 200))} · ${slackTime(p.last.at)}`;
}

/** The step's section text: one line when done, title and first line when open, more in focus. */
function stepText(item: ChecklistItemView): string {
  const title = `*${item.number}. ${escape(item.title)}*`;
  // A check's mark beside a step says what the check found, not whether the step is done.
  const check = item.probe?.last ? ` · check ${probeMark(item.probe.last.status)}` : '';
  if (item.shown === 'done') {
    return `:white_check_mark: ${title}${item.done ? ` · Done by ${mention(item.done.by)} ${slackTime(item.done.at)}` : ''}${check}`;
  }
  if (item.shown === 'focus') {
    const lines = [`:arrow_forward: ${title}`];
    if (item.probe) lines.push(probeLine(item.probe));
    return lines.join('\n');
  }
  const first = mrkdwn(item.firstLine);
  return `:white_large_square: ${title}${check}${first ? `\n${first}` : ''}`;
}

/** What a step adds to its page, for the page's size budget. */
function stepSize(item: ChecklistItemView): number {
  if (item.shown !== 'focus') return stepText(item).length;
  return stepText(item).length + markupPlainText(item.detail).length + item.edgeCases.reduce((n, e) => n + markupPlainText(edgeCaseMarkup(e)).length, 0);
}

/**
 * The step's section with its Done/Reopen beside it; in focus, its full detail as rich text
 * (code blocks stay exactly as written) and its other actions under it.
 */
function stepBlocks(item: ChecklistItemView): Array<Record<string, unknown>> {
  // Titles are capped at 150 characters and first lines and check reasons are clipped, so the
  // step's text always fits one section.
  const block: Record<string, unknown> = {
    type: 'section',
    block_id: `step-${item.stepId}`,
    text: { type: 'mrkdwn', text: truncate(stepText(item), SLACK_LIMITS.sectionText) },
  };
  const [first, ...more] = item.actions;
  const main = first ? { ...block, accessory: button(first, item.stepId) } : block;
  const detail = item.shown === 'focus' && item.detail.length > 0 ? [richTextBlock(item.detail, `step-detail-${item.stepId}`)] : [];
  const row = more.length > 0 ? [{ type: 'actions', block_id: `step-actions-${item.stepId}`, elements: more.map((a) => button(a, item.stepId)) }] : [];
  const edges = item.shown === 'focus' ? item.edgeCases.flatMap(edgeCaseBlocks) : [];
  return [main, ...detail, ...row, ...edges];
}

/**
 * An edge case: what can go wrong and its fallback as rich text (commands stay copyable), then
 * This happened, or once it did, who said so and when.
 */
export function edgeCaseBlocks(e: EdgeCaseView): Array<Record<string, unknown>> {
  const text = richTextBlock(edgeCaseMarkup(e), `edge-${e.id}`);
  if (e.happened) return [text, { type: 'context', block_id: `edge-happened-${e.id}`, elements: [{ type: 'mrkdwn', text: `:white_check_mark: ${mrkdwn(e.happened)}` }] }];
  if (e.actions.length === 0) return [text];
  return [text, { type: 'actions', block_id: `edge-actions-${e.id}`, elements: e.actions.map((a) => button(a)) }];
}

/** Slack routes a click by action_id; the value carries the whole request, from the one encoder. */
export function actionId(p: ActionPayload, where?: string): string {
  if (p.a === 'step') return `step.${p.s}`;
  // Two steps may run the same probe: the step keeps each button's action_id unique in its message.
  if (p.a === 'probe') return `probe.${p.p}${where ? `.${where}` : ''}`;
  // One Done button per action item in the follow-up message.
  if (p.a === 'item') return `incident.item.${p.n}`;
  // One This happened per edge case in a message.
  if (p.a === 'edge') return `edge.${p.c}`;
  return `incident.${p.a}`;
}

/** A message of text with buttons under it, for what the bot says in a room (a notice). */
export function textWithActions(text: string, actions: ActionView[]): Array<Record<string, unknown>> {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } },
    { type: 'actions', elements: actions.map((a) => button(a)) },
  ];
}

export function button(a: ActionView, where?: string): Record<string, unknown> {
  return {
    type: 'button',
    action_id: actionId(a.payload, where),
    text: { type: 'plain_text', text: a.label },
    value: encodeAction(a.payload),
    ...(a.style ? { style: a.style } : {}),
    ...(a.confirm
      ? {
          confirm: {
            title: { type: 'plain_text', text: a.confirm.title },
            text: { type: 'plain_text', text: a.confirm.text },
            confirm: { type: 'plain_text', text: a.confirm.ok },
            deny: { type: 'plain_text', text: a.confirm.cancel },
          },
        }
      : {}),
  };
}
