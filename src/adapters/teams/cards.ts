import { decodeAction, encodeAction, type ActionPayload, type ActionView } from '../../core/text/actions';
import type { Text } from '../../core/text/text';
import { clip, probeMark, type ChecklistItemView, type ChecklistView, type EdgeCaseView, type HeaderView, type ProbeView, type StepDetailView } from '../../core/render/views';
import { resolveShowCard } from './resolve-card';
import { switchRunbookShowCard } from './runbook-card';
import { edgeCaseMarkup } from '../../core/render/edge-cases';
import {
  clipChars,
  fixedText,
  isHttpUrl,
  markupElements,
  rich,
  richLines,
  run,
  runs,
  singleTime,
  timeTextBlock,
  utcText,
  type Element,
  type Names,
} from './teams-text';

/**
 * Adaptive Cards 1.5 for Teams, drawn from the platform-neutral views only: which step is in focus,
 * which buttons exist and what they ask for are decided in core; this file only lays them out.
 */
export type Card = Record<string, unknown>;

// Plain messages (no buttons) are text with mentions; callers take everything Teams-rendered from here.
export { messageText, type Mention, type Names } from './teams-text';

/** Teams refuses a message whose card is larger than this. */
export const TEAMS_CARD_MAX_BYTES = 28 * 1024;
// A checklist page aims lower: the activity around the card (ids, conversation, entities) counts too.
const PAGE_MAX_BYTES = 24 * 1024;
const CHECK_REASON_MAX = 200;
const CLOSING_NOTE_MAX = 3000;
const NOTICE_MAX = 4000;
const LINK_TITLE_MAX = 200;

export function cardBytes(card: Card | Element): number {
  return Buffer.byteLength(JSON.stringify(card));
}

/** The envelope every card of ours has: version 1.5, full width in Teams. */
export function card(body: Element[], actions: Element[] = []): Card {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length > 0 ? { actions } : {}),
    msteams: { width: 'Full' },
  };
}

// ---- actions -----------------------------------------------------------------------------------

function verb(p: ActionPayload): string {
  return `incident.${p.a}`;
}

/**
 * Action.Execute (an invoke the bot answers with the updated card), and for Teams clients without
 * Universal Actions an Action.Submit fallback, which arrives as a message whose `value` is the data.
 */
function execute(a: ActionView, title: string): Element {
  const data = { incidentBot: encodeAction(a.payload) };
  const style = a.style === 'primary' ? { style: 'positive' } : a.style === 'danger' ? { style: 'destructive' } : {};
  return { type: 'Action.Execute', title, verb: verb(a.payload), data, ...style, fallback: { type: 'Action.Submit', title, data, ...style } };
}

/**
 * A button. Adaptive Cards 1.5 has no confirmation dialog, so a confirm opens an inline card with
 * the question and the real button; clicking the first button again closes it, which is the "cancel".
 */
export function cardAction(a: ActionView, names: Names): Element {
  if (!a.confirm) return execute(a, a.label);
  const question = [...richLines([{ strong: a.confirm.title }], names), ...richLines([a.confirm.text], names)];
  return {
    type: 'Action.ShowCard',
    title: a.label,
    ...(a.style === 'danger' ? { style: 'destructive' } : {}),
    card: { type: 'AdaptiveCard', body: question, actions: [execute(a, a.confirm.ok)] },
  };
}

/**
 * What a click sent: an invoke's `activity.value` ({ action: { type: 'Action.Execute', verb, data } })
 * or a fallback submit's ({ incidentBot }). Null for anything else, an old or forged button included.
 */
export function readCardAction(value: unknown): ActionPayload | null {
  try {
    if (!isObject(value)) return null;
    if (!('action' in value)) return decode(value.incidentBot);
    const action = value.action;
    if (!isObject(action) || action.type !== 'Action.Execute' || !isObject(action.data)) return null;
    const p = decode(action.data.incidentBot);
    // The verb routes the invoke; one that disagrees with the payload was not written by us.
    return p && action.verb === verb(p) ? p : null;
  } catch {
    return null; // a hostile getter; nothing we sent
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decode(v: unknown): ActionPayload | null {
  return typeof v === 'string' ? decodeAction(v) : null;
}

// ---- shared pieces -----------------------------------------------------------------------------

/** A probe and its latest result on one line: the check, its mark, what it found and when. */
function probeRuns(p: ProbeView): Element[] {
  const head = [run(`${probeMark(p.last?.status ?? null)} `), run(p.title, { italic: true })];
  if (!p.last) return [...head, run(': not run yet')];
  if (p.last.status === 'queued') return [...head, run(`: running… (${utcText(p.last.at)})`)];
  return [...head, run(`: ${clipChars(p.last.reason ?? '', CHECK_REASON_MAX)} · ${utcText(p.last.at)}`)];
}

function doneRuns(done: { by: string; at: Date }, names: Names): Element[] {
  return runs([' · Done by ', { user: done.by }, ` · ${utcText(done.at)}`], names);
}

const TOO_LONG = 'This detail is too long for a Teams card. Read it in the runbook.';

// ---- header ------------------------------------------------------------------------------------

/**
 * The incident's header card. Check reasons are clipped; if the card still would not fit, the last
 * checks give way to a count of them, then the last runbooks of Switch runbook, so the header is
 * never refused.
 */
export function headerCard(v: HeaderView, names: Names): Card {
  let shown = v.checks.length;
  let choices = v.switchRunbook?.length ?? 0;
  let c = headerWith(v, names, shown, choices);
  while (cardBytes(c) >= TEAMS_CARD_MAX_BYTES && shown > 0) c = headerWith(v, names, --shown, choices);
  while (cardBytes(c) >= TEAMS_CARD_MAX_BYTES && choices > 0) c = headerWith(v, names, shown, --choices);
  return c;
}

function headerWith(v: HeaderView, names: Names, checksShown: number, choicesShown: number): Card {
  const body: Element[] = [rich([run(v.heading, { weight: 'Bolder', size: 'Large' })])];
  body.push(...v.fields.map((f) => field(f.label, f.value, names)));
  if (v.links.length > 0) {
    const inlines = v.links.flatMap((l, i) => [
      ...(i > 0 ? [run(' · ')] : []),
      ...runs([isHttpUrl(l.url) ? { link: l.url, title: clipChars(l.title, LINK_TITLE_MAX) } : clipChars(l.title, LINK_TITLE_MAX)], names),
    ]);
    body.push(rich(inlines, { spacing: 'Medium' }));
  }
  if (v.checks.length > 0) {
    body.push(fixedText('Checks', { weight: 'Bolder', spacing: 'Medium' }));
    body.push(...v.checks.slice(0, checksShown).map((p) => rich(probeRuns(p), { spacing: 'None' })));
    const hidden = v.checks.length - checksShown;
    if (hidden > 0) body.push(fixedText(`…and ${hidden} more checks`, { isSubtle: true, spacing: 'None' }));
  }
  if (v.closingNote) body.push(...richLines(clip(v.closingNote, CLOSING_NOTE_MAX), names, { spacing: 'Medium' }));
  // Resolve shows the quick validation form inline: the toggles are its confirmation.
  const actions = v.actions.map((a) => (a.payload.a === 'resolve' && v.resolveForm ? resolveShowCard(a, v.resolveForm) : cardAction(a, names)));
  // Switch runbook, like Slack's menu: the other runbooks in a card shown inline.
  const switchTo = (v.switchRunbook ?? []).slice(0, choicesShown);
  return card(body, switchTo.length > 0 ? [...actions, switchRunbookShowCard(switchTo)] : actions);
}

/**
 * A label beside its value. A value that is exactly one time shows in the reader's own time zone
 * (a TextBlock with DATE/TIME); any other value is rich text, where a time reads as UTC.
 */
function field(label: string, value: Text, names: Names): Element {
  const at = singleTime(value);
  return {
    type: 'ColumnSet',
    spacing: 'Small',
    columns: [
      { type: 'Column', width: '120px', items: [rich([run(label, { weight: 'Bolder' })])] },
      { type: 'Column', width: 'stretch', items: at ? [timeTextBlock(at)] : richLines(value, names) },
    ],
  };
}

// ---- checklist ---------------------------------------------------------------------------------

/**
 * The checklist over as many cards as Teams' size limit needs: every step in exactly one page, in
 * order; nothing is dropped to make a runbook fit. Progress is on the first page only, as in Slack,
 * so a click changes its own page and the first, not every page.
 */
export function checklistCards(v: ChecklistView, names: Names): Card[] {
  // Worst-case page furniture (heading, progress, "continued"), measured rather than guessed.
  const budget = PAGE_MAX_BYTES - cardBytes(page(v, [], 0, 99, names));
  const pages: Element[][] = [];
  let current: Element[] = [];
  let bytes = 0;
  for (const item of v.items) {
    let el = stepElement(item, names, true);
    if (cardBytes(el) > budget) el = stepElement(item, names, false);
    const size = cardBytes(el) + 1; // the comma between elements
    if (current.length > 0 && bytes + size > budget) {
      pages.push(current);
      current = [];
      bytes = 0;
    }
    current.push(el);
    bytes += size;
  }
  if (current.length > 0 || pages.length === 0) pages.push(current);
  return pages.map((steps, p) => page(v, steps, p, pages.length, names));
}

function page(v: ChecklistView, steps: Element[], p: number, count: number, names: Names): Card {
  const part = count > 1 ? [run(` (part ${p + 1} of ${count})`)] : [];
  const body: Element[] = [rich([run(v.heading, { weight: 'Bolder', size: 'Medium' }), ...part])];
  if (p === 0) {
    const next = v.items.find((x) => x.stepId === v.focus);
    body.push(fixedText(`${v.progress.done} of ${v.progress.total} steps done${next ? ` · next: step ${next.number}` : ''}`, { spacing: 'None', isSubtle: true }));
    if (v.replaced) body.push(rich(runs(v.replaced, names), { spacing: 'None' }));
    // The runbook's own edge cases can happen at any step: one click away at the top of the checklist.
    if (v.edgeCases.length > 0) {
      const happened = v.edgeCases.filter((e) => e.happened).length;
      body.push({
        type: 'ActionSet',
        actions: [{ type: 'Action.ToggleVisibility', title: `Runbook edge cases (${v.edgeCases.length}${happened ? `, ${happened} happened` : ''})`, targetElements: ['runbook-edge-cases'] }],
      });
      body.push({ type: 'Container', id: 'runbook-edge-cases', isVisible: false, items: v.edgeCases.flatMap((e) => edgeCaseElements(e, names)) });
    }
  }
  body.push(...steps);
  if (p < count - 1) body.push(fixedText(`Continued in the next message (part ${p + 2}).`, { isSubtle: true, separator: true }));
  return card(body);
}

/**
 * One step: done in one line, open with its first line, in focus whole. A step out of focus keeps its
 * detail one click away in a hidden container (Teams has no modal to open from a card). `withDetail`
 * false is the last resort for a step too large for any page: its detail is replaced by a note.
 */
function stepElement(item: ChecklistItemView, names: Names, withDetail: boolean): Element {
  const title = run(`${item.number}. ${item.title}`, { weight: 'Bolder' });
  // A check's mark beside a step says what the check found, not whether the step is done.
  const check = item.probe?.last ? [run(` · check ${probeMark(item.probe.last.status)}`)] : [];
  const items: Element[] = [];
  if (item.shown === 'done') {
    items.push(rich([run('✅ '), title, ...(item.done ? doneRuns(item.done, names) : []), ...check]));
  } else if (item.shown === 'focus') {
    items.push(rich([run('▶️ '), title]));
    if (item.probe) items.push(rich(probeRuns(item.probe), { spacing: 'None' }));
    items.push(...(withDetail ? markupElements(item.detail, names) : [fixedText(TOO_LONG, { isSubtle: true })]));
  } else {
    items.push(rich([run('⬜ '), title, ...check]));
    items.push(...richLines(item.firstLine, names, { spacing: 'None' }));
  }
  const actions = item.actions.map((a) => cardAction(a, names));
  // The step in focus shows its edge cases under its buttons. The others show them once in focus:
  // in every step's Details they would push the checklist past one Teams message.
  const edges = withDetail && item.shown === 'focus' ? item.edgeCases.flatMap((e) => edgeCaseElements(e, names)) : [];
  const hiddenId = `step-${item.number}-detail`;
  const hidden = item.shown !== 'focus' && item.detail.length > 0;
  if (hidden) actions.push({ type: 'Action.ToggleVisibility', title: 'Details', targetElements: [hiddenId] });
  if (actions.length > 0) items.push({ type: 'ActionSet', actions });
  if (item.shown === 'focus') items.push(...edges);
  if (hidden) {
    const detail = withDetail ? markupElements(item.detail, names) : [fixedText(TOO_LONG, { isSubtle: true })];
    items.push({ type: 'Container', id: hiddenId, isVisible: false, items: detail });
  }
  return { type: 'Container', id: `step-${item.number}`, separator: true, spacing: 'Medium', items };
}

/** An edge case and its fallback, then This happened, or who said it happened and when. */
function edgeCaseElements(e: EdgeCaseView, names: Names): Element[] {
  const after: Element[] = e.happened
    ? richLines(['✅ ', ...e.happened], names, { spacing: 'None', isSubtle: true })
    : e.actions.length > 0
      ? [{ type: 'ActionSet', actions: e.actions.map((a) => cardAction(a, names)) }]
      : [];
  return [{ type: 'Container', id: `edge-${e.id}`, spacing: 'Medium', items: [...markupElements(edgeCaseMarkup(e), names), ...after] }];
}

// ---- step detail and notices -------------------------------------------------------------------

/** One step whole, read-only: the checklist keeps the buttons. */
export function stepDetailCard(v: StepDetailView, names: Names): Card {
  const build = (withDetail: boolean): Card => {
    const status = rich(v.done ? runs(['✅ Done by ', { user: v.done.by }, ` · ${utcText(v.done.at)}`], names) : [run('⬜ Not done yet')], { spacing: 'None' });
    const body: Element[] = [
      rich([run(v.heading, { isSubtle: true })]),
      rich([run(`${v.number}. ${v.title}`, { weight: 'Bolder', size: 'Medium' })]),
      status,
      ...(withDetail ? markupElements(v.detail, names) : [fixedText(TOO_LONG, { isSubtle: true })]),
      ...(v.probe ? [rich(probeRuns(v.probe))] : []),
    ];
    return card(body);
  };
  const whole = build(true);
  return cardBytes(whole) < TEAMS_CARD_MAX_BYTES ? whole : build(false);
}

/** What the bot says in a room, with buttons under it. */
export function noticeCard(text: Text, actions: ActionView[], names: Names): Card {
  return card(
    richLines(clip(text, NOTICE_MAX), names),
    actions.map((a) => cardAction(a, names)),
  );
}
