import { trimFollowUp, type FollowUpView } from '../../core/render/follow-up';
import { button, CHARS_PER_PAGE, SLACK_LIMITS, type SlackMessage } from './blocks';
import { escape, mrkdwn, truncate } from './format';

type Block = Record<string, unknown>;

/**
 * The follow-up message: the post-mortem with its next lifecycle button beside it, then the open
 * action items one section each with Done beside it, then the done ones folded to a line each. The
 * view already caps what is shown; if escaped text still makes the message too long for Slack, the
 * last done items and then the last open items give way to the "N more" line.
 */
export function followUpMessage(v: FollowUpView): SlackMessage {
  let open = v.open.length;
  let done = v.done.length;
  let msg = build(v);
  while ((textChars(msg.blocks) > CHARS_PER_PAGE || msg.blocks.length > SLACK_LIMITS.blocksPerMessage) && open + done > 0) {
    if (done > 0) done -= 1;
    else open -= 1;
    msg = build(trimFollowUp(v, open, done));
  }
  return msg;
}

function build(v: FollowUpView): SlackMessage {
  const total = v.counts.open + v.counts.done;
  const counts = total > 0 ? `\n${v.counts.open} open · ${v.counts.done} done` : '';
  const blocks: Block[] = [section(`*${escape(v.heading)}*${counts}`)];
  const pm = v.postmortem;
  if (pm) {
    const [only, ...more] = pm.actions;
    blocks.push({ ...section(mrkdwn(pm.line)), ...(only && more.length === 0 ? { accessory: button(only) } : {}) });
    const notes = [...pm.notes, ...(pm.missing ? [pm.missing] : [])];
    if (notes.length > 0) blocks.push(context(notes.map(mrkdwn).join('\n')));
    // Opens the analysis modal (analysis-modal.ts) rather than writing anything itself.
    if (pm.edit) blocks.push({ type: 'actions', block_id: 'postmortem-analysis', elements: [button(pm.edit)] });
    if (more.length > 0) blocks.push({ type: 'actions', block_id: 'postmortem-actions', elements: pm.actions.slice(0, SLACK_LIMITS.actionsElements).map((a) => button(a)) });
  }
  blocks.push({ type: 'divider' });
  if (total === 0) blocks.push(context('No action items yet.'));
  for (const item of v.open) {
    const [first] = item.actions;
    blocks.push({ ...section(mrkdwn(item.line), `item-${item.number}`), ...(first ? { accessory: button(first) } : {}) });
  }
  // Done items are records, not to-dos: as many lines to a section as fit.
  let lines: string[] = [];
  for (const item of v.done) {
    const line = mrkdwn(item.line);
    if (lines.length > 0 && [...lines, line].join('\n').length > SLACK_LIMITS.sectionText) {
      blocks.push(section(lines.join('\n')));
      lines = [];
    }
    lines.push(line);
  }
  if (lines.length > 0) blocks.push(section(lines.join('\n')));
  if (v.more) blocks.push(context(mrkdwn(v.more)));
  // The notification text is mrkdwn too: escaped, so nothing in it can ping anyone from a preview.
  return { text: escape(v.summary), blocks };
}

function section(text: string, blockId?: string): Block {
  return { type: 'section', ...(blockId ? { block_id: blockId } : {}), text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) }] };
}

/** The characters a reader is sent: what Slack's message length limit counts. */
function textChars(blocks: Block[]): number {
  let n = 0;
  for (const b of blocks) {
    const text = b.text as { text?: string } | undefined;
    n += text?.text?.length ?? 0;
    for (const e of (b.elements as Array<{ text?: unknown }> | undefined) ?? []) if (typeof e.text === 'string') n += e.text.length;
  }
  return n;
}
