import { encodeAction, type ActionPayload } from '../../core/render/actions';
import { probeMark, type ActionView, type ChecklistItemView, type ChecklistView, type HeaderView, type ProbeView } from '../../core/render/views';
import { escape, mention, mrkdwn, safeUrl, slackTime, truncate } from './format';

// Slack's documented limits (Block Kit reference).
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  headerText: 150,
};

// Room left per checklist message after its heading, divider and a "continued" note.
const STEP_BLOCKS_PER_PAGE = SLACK_LIMITS.blocksPerMessage - 3;
// Slack truncates very long messages; keep each page well inside that.
const CHARS_PER_PAGE = 12_000;

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
  if (v.actions.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: 'incident-actions',
      elements: v.actions.map((a) => button(a)),
    });
  }
  // The notification text is mrkdwn too: escaped, so a summary cannot ping @channel from a preview.
  return { text: escape(v.summary), blocks };
}

/**
 * Splits the checklist over as many messages as Slack's limits need. Every step appears in
 * exactly one page, in order; nothing is dropped to make a runbook fit.
 */
export function checklistMessages(v: ChecklistView): SlackMessage[] {
  const pages: Array<Array<Record<string, unknown>>> = [];
  let current: Array<Record<string, unknown>> = [];
  let chars = 0;
  for (const item of v.items) {
    const blocks = stepBlocks(item);
    const size = stepText(item).length;
    if (current.length > 0 && (current.length + blocks.length > STEP_BLOCKS_PER_PAGE || chars + size > CHARS_PER_PAGE)) {
      pages.push(current);
      current = [];
      chars = 0;
    }
    current.push(...blocks);
    chars += size;
  }
  if (current.length > 0) pages.push(current);

  return pages.map((stepBlockList, p) => {
    const part = pages.length > 1 ? ` (part ${p + 1} of ${pages.length})` : '';
    // Progress only on the first part: a click then changes its own part and the first, not every part.
    const progress = p === 0 ? `\n${v.progress.done} of ${v.progress.total} steps done` : '';
    const heading = `*${escape(v.heading)}*${part}${progress}`;
    const blocks: Array<Record<string, unknown>> = [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(heading, SLACK_LIMITS.sectionText) } },
      { type: 'divider' },
      ...stepBlockList,
    ];
    if (p < pages.length - 1) {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Continued in the next message (part ${p + 2}).` }] });
    }
    return { text: escape(p === 0 ? `${v.heading}${part}: ${v.progress.done}/${v.progress.total} done` : `${v.heading}${part}`), blocks };
  });
}

/** A probe and its latest result, on one line: the check, its mark, what it found and when. */
export function probeLine(p: ProbeView): string {
  const title = `_${escape(p.title)}_`;
  if (!p.last) return `${probeMark(null)} ${title}: not run yet`;
  if (p.last.status === 'queued') return `${probeMark('queued')} ${title}: running… (${slackTime(p.last.at)})`;
  return `${probeMark(p.last.status)} ${title}: ${escape(truncate(p.last.reason ?? '', 200))} · ${slackTime(p.last.at)}`;
}

function stepText(item: ChecklistItemView): string {
  const mark = item.done ? ':white_check_mark:' : ':white_large_square:';
  const lines = [`${mark} *${item.number}. ${escape(item.title)}*`, escape(item.detail)];
  if (item.probe) lines.push(probeLine(item.probe));
  if (item.done) lines.push(`Done by ${mention(item.done.by)} ${slackTime(item.done.at)}`);
  return lines.join('\n');
}

/** One section per step; a step whose escaped text outgrows a section continues in more sections. */
function stepBlocks(item: ChecklistItemView): Array<Record<string, unknown>> {
  const chunks = splitText(stepText(item), SLACK_LIMITS.sectionText);
  const block: Record<string, unknown> = {
    type: 'section',
    block_id: `step-${item.stepId}`,
    text: { type: 'mrkdwn', text: chunks[0] },
  };
  const rest = chunks.slice(1).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
  // One action sits beside the text; several go in an actions block under it.
  // The first action (Done or Reopen) sits beside the text; any others go in a row under it.
  const [first, ...more] = item.actions;
  const main = first ? { ...block, accessory: button(first, item.stepId) } : block;
  if (more.length === 0) return [main, ...rest];
  return [main, ...rest, { type: 'actions', block_id: `step-actions-${item.stepId}`, elements: more.map((a) => button(a, item.stepId)) }];
  return [block, ...rest];
}

/** Slack routes a click by action_id; the value carries the whole request, from the one encoder. */
export function actionId(p: ActionPayload, where?: string): string {
  if (p.a === 'step') return `step.${p.s}`;
  // Two steps may run the same probe: the step keeps each button's action_id unique in its message.
  if (p.a === 'probe') return `probe.${p.p}${where ? `.${where}` : ''}`;
  return `incident.${p.a}`;
}

function button(a: ActionView, where?: string): Record<string, unknown> {
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

/**
 * Cuts at a line break, else at a space, so a continuation starts cleanly; never inside an
 * escape (&amp;) or a token such as <@U1> or <!date^…>, which Slack would show as garbage.
 */
function splitText(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const newline = window.lastIndexOf('\n');
    const space = window.lastIndexOf(' ');
    let at = newline > max / 2 ? newline : space > max / 2 ? space : max;
    const open = window.lastIndexOf('<', at - 1);
    if (open > window.lastIndexOf('>', at - 1)) at = open;
    const amp = window.lastIndexOf('&', at - 1);
    if (amp >= 0 && amp > window.lastIndexOf(';', at - 1)) at = amp;
    if (at <= 0) at = max; // a single token longer than a section: nothing better is possible
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^[\n ]/, '');
  }
  out.push(rest);
  return out;
}
