import { label, type ActionItem, type Postmortem, type PostmortemStatus, type Snapshot } from '../model';
import type { Runbook } from '../runbook/schema';
import type { ActionView } from '../text/actions';
import { isOverdue } from '../incident/local-day';
import { postmortemStatusWord } from './home';
import type { Text } from '../text/text';
import { clip } from './views';
import { analysisFormView, analysisMissingLine, type AnalysisFormView } from './analysis';

/**
 * The incident's follow-up message: its post-mortem and its action items, rendered from stored
 * state like the header and the checklist. Open items come first, the most urgent on top, each with
 * its Done button; done ones fold to one line each. What is shown is capped, so the message always
 * fits a platform's limits however many items an incident collects: the rest are one command away.
 */
export interface FollowUpView {
  incidentId: string;
  /** "INC-7 follow-up". */
  heading: string;
  /** One line for notifications and previews, where no formatting shows. */
  summary: string;
  /** Null when the incident has action items but no post-mortem. */
  postmortem: PostmortemView | null;
  /** The open items shown, most urgent first. */
  open: ActionItemView[];
  /** The done items shown, most recently done first. */
  done: ActionItemView[];
  /** How many items there are in all, shown or not. */
  counts: { open: number; done: number };
  /** "N more: `action list`" when some items are not shown; null when all are. */
  more: Text | null;
}

export interface PostmortemView {
  status: PostmortemStatus;
  /** "Post-mortem · Draft · owner @u · due 2025-03-12 (overdue)". */
  line: Text;
  overdue: boolean;
  /** Lines under it: how to export it, and what closes it. */
  notes: Text[];
  /** The next step of its lifecycle, if a click can take it: Send to review, then Publish. */
  actions: ActionView[];
  /** Edit analysis, while the analysis may be edited (until published). */
  edit: ActionView | null;
  /** The parts of the analysis still empty, one line; null once published. */
  missing: Text | null;
  /** What Edit analysis opens, for the surfaces that draw the form in the message itself; null once published. */
  analysis: AnalysisFormView | null;
}

export interface ActionItemView {
  number: number;
  /** "#3 Add an alert on 404s · @u · due 2025-03-12 (overdue)", or "✅ #3 … · done by @u <time>". */
  line: Text;
  overdue: boolean;
  /** Done, on an open item; nothing on a done one. */
  actions: ActionView[];
}

/** What is shown at most; "N more" names the command that lists every item. */
export const FOLLOW_UP_CAPS = { open: 20, done: 10 };
/** An open item's text is cut here, a done item's shorter: its line is a record, not a to-do. */
const OPEN_TEXT_MAX = 200;
const DONE_TEXT_MAX = 80;

/** Null when the incident has neither a post-mortem nor an action item: then no message is posted. */
export function followUpView(s: Snapshot, _runbook: Runbook, now: Date, tz: string): FollowUpView | null {
  const pm = s.postmortem ?? null;
  const items = s.actionItems ?? [];
  if (!pm && items.length === 0) return null;
  const i = s.incident;
  const open = items.filter((x) => !x.closedAt).sort((a, b) => urgency(a, b, now, tz));
  const done = items.filter((x) => x.closedAt).sort((a, b) => b.closedAt!.getTime() - a.closedAt!.getTime() || a.number - b.number);
  const pmView = pm ? postmortemView(s, pm, open.length, now, tz) : null;
  const pmWord = pm ? `post-mortem ${postmortemStatusWord(pm.status).toLowerCase()}` : null;
  const itemsWord = items.length > 0 ? `${open.length} of ${items.length} action items open` : null;
  const full: FollowUpView = {
    incidentId: i.id,
    heading: `${label(i)} follow-up`,
    summary: `${label(i)} follow-up: ${[pmWord, itemsWord].filter(Boolean).join(', ')}`,
    postmortem: pmView,
    open: open.map((x) => openItemView(x, i.id, now, tz)),
    done: done.map(doneItemView),
    counts: { open: open.length, done: done.length },
    more: null,
  };
  return trimFollowUp(full, FOLLOW_UP_CAPS.open, FOLLOW_UP_CAPS.done);
}

/**
 * The view showing at most `open` open and `done` done items, with the "N more" line to match. For
 * a surface whose own size limit needs fewer than the caps (long escaped text, long names).
 */
export function trimFollowUp(v: FollowUpView, open: number, done: number): FollowUpView {
  const shownOpen = v.open.slice(0, Math.max(0, open));
  const shownDone = v.done.slice(0, Math.max(0, done));
  const hidden = v.counts.open + v.counts.done - shownOpen.length - shownDone.length;
  return { ...v, open: shownOpen, done: shownDone, more: hidden > 0 ? moreLine(hidden) : null };
}

export function moreLine(hidden: number): Text {
  return [`${hidden} more: `, { command: 'action list' }];
}

/** Every text of the view, to find the people it names. */
export function followUpTexts(v: FollowUpView): Text[] {
  return [
    ...(v.postmortem ? [v.postmortem.line, ...v.postmortem.notes, ...(v.postmortem.missing ? [v.postmortem.missing] : [])] : []),
    ...v.open.map((x) => x.line),
    ...v.done.map((x) => x.line),
  ];
}

/** Overdue first, then by due day (undated last), then by number. */
function urgency(a: ActionItem, b: ActionItem, now: Date, tz: string): number {
  const late = Number(isOverdue(b, now, tz)) - Number(isOverdue(a, now, tz));
  if (late !== 0) return late;
  if (a.dueOn !== b.dueOn) {
    if (a.dueOn === null) return 1;
    if (b.dueOn === null) return -1;
    return a.dueOn < b.dueOn ? -1 : 1;
  }
  return a.number - b.number;
}

function postmortemView(s: Snapshot, pm: Postmortem, openItems: number, now: Date, tz: string): PostmortemView {
  const inc = label(s.incident);
  const incidentId = s.incident.id;
  // Due like an action item: overdue from the day after, until it is closed.
  const overdue = pm.status !== 'closed' && isOverdue({ dueOn: pm.dueOn, closedAt: null }, now, tz);
  const line: Text = [
    { strong: 'Post-mortem' },
    ` · ${postmortemStatusWord(pm.status)} · `,
    ...(pm.owner ? ['owner ', { user: pm.owner }] : ['no owner yet']),
    ` · due ${pm.dueOn}${overdue ? ' (overdue)' : ''}`,
  ];
  if (pm.status === 'closed' && pm.closedAt) line.push(' · closed ', { time: pm.closedAt });
  else if (pm.status === 'published' && pm.publishedAt) line.push(' · published ', { time: pm.publishedAt });
  const notes: Text[] = [[pm.status === 'draft' ? 'Draft it from the timeline: ' : 'Export it: ', { code: `incident-bot postmortem ${inc}` }]];
  if (pm.status === 'published' && openItems > 0) notes.push(['Closed once every action item is done']);
  const editable = pm.status === 'draft' || pm.status === 'in_review';
  const actions: ActionView[] = [];
  if (pm.status === 'draft') actions.push({ label: 'Send to review', style: 'primary', payload: { a: 'pm', i: incidentId, to: 'in_review' } });
  if (pm.status === 'in_review') {
    actions.push({
      label: 'Publish',
      style: 'primary',
      confirm: {
        title: 'Publish the post-mortem?',
        text: 'It leaves review for good; it closes once every action item is done.',
        ok: 'Publish',
        cancel: 'Not yet',
      },
      payload: { a: 'pm', i: incidentId, to: 'published' },
    });
  }
  return {
    status: pm.status,
    line,
    overdue,
    notes,
    actions,
    edit: editable ? { label: 'Edit analysis', payload: { a: 'analysis', i: incidentId } } : null,
    missing: editable ? analysisMissingLine(s) : null,
    analysis: editable ? analysisFormView(s) : null,
  };
}

function openItemView(x: ActionItem, incidentId: string, now: Date, tz: string): ActionItemView {
  const overdue = isOverdue(x, now, tz);
  const line: Text = [
    `#${x.number} `,
    ...clip([oneLine(x.text)], OPEN_TEXT_MAX),
    ' · ',
    ...(x.owner ? [{ user: x.owner }] : ['no owner']),
    ...(x.dueOn ? [` · due ${x.dueOn}${overdue ? ' (overdue)' : ''}`] : []),
  ];
  return { number: x.number, line, overdue, actions: [{ label: 'Done', payload: { a: 'item', i: incidentId, n: x.number } }] };
}

function doneItemView(x: ActionItem): ActionItemView {
  const line: Text = [`✅ #${x.number} `, ...clip([oneLine(x.text)], DONE_TEXT_MAX)];
  if (x.closedBy) line.push(' · done by ', { user: x.closedBy });
  if (x.closedAt) line.push(' ', { time: x.closedAt });
  return { number: x.number, line, overdue: false, actions: [] };
}

/** An item is one line wherever it is shown: line breaks typed into it become spaces. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
