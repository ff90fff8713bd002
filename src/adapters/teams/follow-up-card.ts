import { trimFollowUp, type ActionItemView, type FollowUpView } from '../../core/render/follow-up';
import { analysisShowCard } from './analysis-card';
import { card, cardAction, cardBytes, TEAMS_CARD_MAX_BYTES, type Card } from './cards';
import { fixedText, rich, richLines, run, type Element, type Names } from './teams-text';

// Aims lower than Teams' limit, like a checklist page: the activity around the card counts too.
const FOLLOW_UP_MAX_BYTES = TEAMS_CARD_MAX_BYTES - 4 * 1024;

/**
 * The follow-up card: the post-mortem with its next lifecycle button, the open action items each
 * with Done beside it, the done ones in a line each. The view caps what is shown; if long names or
 * text still make the card too large, the last done and then the last open items give way to the
 * "N more" line, so Teams never refuses it.
 */
export function followUpCard(v: FollowUpView, names: Names): Card {
  let open = v.open.length;
  let done = v.done.length;
  let form = true;
  let c = build(v, names, form);
  while (cardBytes(c) >= FOLLOW_UP_MAX_BYTES && (open + done > 0 || form)) {
    // A long analysis prefilled in the form gives way last: Edit analysis then answers with the command.
    if (done > 0) done -= 1;
    else if (open > 0) open -= 1;
    else form = false;
    c = build(trimFollowUp(v, open, done), names, form);
  }
  return c;
}

function build(v: FollowUpView, names: Names, form: boolean): Card {
  const total = v.counts.open + v.counts.done;
  const body: Element[] = [rich([run(v.heading, { weight: 'Bolder', size: 'Medium' })])];
  if (total > 0) body.push(fixedText(`${v.counts.open} open · ${v.counts.done} done`, { spacing: 'None', isSubtle: true }));
  const pm = v.postmortem;
  if (pm) {
    const notes = [...pm.notes, ...(pm.missing ? [pm.missing] : [])];
    const items: Element[] = [...richLines(pm.line, names), ...notes.flatMap((n) => richLines(n, names, { spacing: 'None' }))];
    if (pm.actions.length > 0) items.push({ type: 'ActionSet', actions: pm.actions.map((a) => cardAction(a, names)) });
    if (pm.edit) {
      const edit = form && pm.analysis ? analysisShowCard(pm.edit, pm.analysis) : cardAction(pm.edit, names);
      items.push({ type: 'ActionSet', id: 'postmortem-analysis', actions: [edit] });
    }
    body.push({ type: 'Container', id: 'postmortem', spacing: 'Medium', items });
  }
  if (total === 0) body.push(fixedText('No action items yet.', { isSubtle: true, separator: true }));
  v.open.forEach((item, i) => body.push(openItem(item, names, i === 0)));
  v.done.forEach((item, i) => body.push(...richLines(item.line, names, i === 0 ? { separator: true, spacing: 'Medium' } : { spacing: 'None' })));
  if (v.more) body.push(...richLines(v.more, names, { spacing: 'Medium' }));
  return card(body);
}

/** The item's line with its Done button beside it, on one row. */
function openItem(item: ActionItemView, names: Names, first: boolean): Element {
  const columns: Element[] = [{ type: 'Column', width: 'stretch', verticalContentAlignment: 'Center', items: richLines(item.line, names) }];
  if (item.actions.length > 0) {
    columns.push({ type: 'Column', width: 'auto', verticalContentAlignment: 'Center', items: [{ type: 'ActionSet', actions: item.actions.map((a) => cardAction(a, names)) }] });
  }
  return { type: 'ColumnSet', id: `item-${item.number}`, spacing: first ? 'Medium' : 'Small', ...(first ? { separator: true } : {}), columns };
}
