import { label, type ActionItem, type Incident, type Postmortem, type PostmortemStatus } from '../model';
import type { ActionView } from '../text/actions';
import type { Text } from '../text/text';
import { clip, statusWord } from './views';
import { isOverdue, localDay } from '../incident/local-day';

/**
 * A person's home: the workspace's open incidents, and the action items and post-mortems that
 * are theirs. Computed from stored rows only, like the incident views; each surface renders it.
 */

/** What an item or a post-mortem says about its incident. */
export type HomeIncident = Pick<Incident, 'id' | 'number' | 'title' | 'channelId'>;

export interface HomeData {
  open: Incident[];
  items: Array<ActionItem & { incident: HomeIncident }>;
  postmortems: Array<Postmortem & { incident: HomeIncident }>;
  /**
   * How many there are in all, where the lists were fetched capped (HomeQueries fills it in).
   * Absent, a list's length is its total.
   */
  totals?: { open: number; items: number; postmortems: number };
}

/** How many rows each section lists before it says "and N more". The store fetches no more. */
export interface HomeLimits {
  open: number;
  items: number;
  postmortems: number;
}

export const HOME_LIMITS: Readonly<HomeLimits> = { open: 15, items: 15, postmortems: 15 };

export type HomeSectionId = keyof HomeLimits;

export interface HomeRowView {
  text: Text;
  /** Past its due date and not done yet: shown with a mark, and listed first. */
  overdue: boolean;
  /** The one button beside the row (Done on an action item), if any. */
  action: ActionView | null;
}

export interface HomeSectionView {
  id: HomeSectionId;
  heading: string;
  rows: HomeRowView[];
  /** How many there are in all; more than `rows.length` when the section was cut. */
  total: number;
  /** What an empty section says instead of rows; null when it has rows. */
  empty: Text | null;
  /** "…and N more (T in all)" when the section was cut; null when it lists everything. */
  more: Text | null;
}

export interface HomeView {
  /** Open incidents, my action items, my open post-mortems: always these three, in this order. */
  sections: HomeSectionView[];
  updatedAt: Date;
}

// Longest title or item text a row shows: a home lists many, so each stays a line or two.
const TITLE_MAX = 150;
const ITEM_TEXT_MAX = 300;

/**
 * Each section sorted (most severe incidents first; overdue items and post-mortems first, then
 * by due date) and capped at HOME_LIMITS, so the whole view stays small whatever the data.
 * A day is overdue from the day after its due date, counted in the team's time zone (`tz`).
 */
export function homeView(d: HomeData, now: Date, tz: string, limits: HomeLimits = HOME_LIMITS): HomeView {
  const open = [...d.open].sort(bySeverity).map(openRow);
  const items = [...d.items].sort(byDueDate).map((it) => itemRow(it, now, tz));
  const postmortems = [...d.postmortems].sort(byPostmortemDue).map((pm) => postmortemRow(pm, now, tz));
  return {
    sections: [
      section('open', 'Open incidents', open, d.totals?.open, limits.open, ['No open incidents. All quiet.']),
      section('items', 'My action items', items, d.totals?.items, limits.items, ['Nothing assigned to you. Action items you own will show up here.']),
      section('postmortems', 'My open post-mortems', postmortems, d.totals?.postmortems, limits.postmortems, ['No post-mortems waiting on you.']),
    ],
    updatedAt: now,
  };
}

/** The last line of a cut section, for any surface that cuts a section further. */
export function moreText(shown: number, total: number): Text {
  return [`…and ${total - shown} more (${total} in all)`];
}

export function postmortemStatusWord(status: PostmortemStatus): string {
  return status === 'in_review' ? 'In review' : statusWord(status);
}

function section(id: HomeSectionId, heading: string, rows: HomeRowView[], total: number | undefined, cap: number, empty: Text): HomeSectionView {
  // A total smaller than what was fetched would be a stale count: what is listed is at least there.
  const all = Math.max(total ?? rows.length, rows.length);
  const shown = rows.slice(0, Math.max(0, cap));
  return {
    id,
    heading,
    rows: shown,
    total: all,
    empty: all === 0 ? empty : null,
    more: all > shown.length ? moreText(shown.length, all) : null,
  };
}

function openRow(i: Incident): HomeRowView {
  return {
    text: [
      { strong: label(i) },
      ' · ',
      ...clip([i.title], TITLE_MAX),
      `\nSEV${i.severity} · ${statusWord(i.status)}`,
      ...(i.channelId ? [' · ', { channel: i.channelId }] : []),
      ' · declared ',
      { time: i.declaredAt, relative: true },
    ],
    overdue: false,
    action: null,
  };
}

function itemRow(it: ActionItem & { incident: HomeIncident }, now: Date, tz: string): HomeRowView {
  const overdue = isOverdue(it, now, tz);
  return {
    text: [...incidentRef(it.incident), ` · #${it.number} `, ...clip([it.text], ITEM_TEXT_MAX), `\n${dueWords(it.dueOn, now, tz, overdue)}`],
    overdue,
    action: { label: 'Done', style: 'primary', payload: { a: 'item', i: it.incident.id, n: it.number } },
  };
}

function postmortemRow(pm: Postmortem & { incident: HomeIncident }, now: Date, tz: string): HomeRowView {
  // Due like an action item, until it is closed (as the incident's follow-up message says).
  const overdue = isOverdue({ dueOn: pm.dueOn, closedAt: pm.status === 'closed' ? pm.closedAt : null }, now, tz);
  return {
    text: [
      ...incidentRef(pm.incident),
      ' · ',
      ...clip([pm.incident.title], TITLE_MAX),
      `\n${postmortemStatusWord(pm.status)} · ${dueWords(pm.dueOn, now, tz, overdue)}`,
    ],
    overdue,
    action: null,
  };
}

/** INC-n, then its channel when it has one: where the work is discussed. */
function incidentRef(i: HomeIncident): Text {
  return [{ strong: label(i) }, ...(i.channelId ? [' ', { channel: i.channelId }] : [])];
}

function dueWords(dueOn: string | null, now: Date, tz: string, overdue: boolean): string {
  if (!dueOn) return 'No due date';
  if (overdue) return `⚠️ Overdue: was due ${dueOn}`;
  return dueOn === localDay(now, tz) ? `Due today (${dueOn})` : `Due ${dueOn}`;
}

// The orders below are the store's ORDER BYs too (src/store/home.ts), so the capped rows it
// fetches are the first rows of the full list.

/** SEV1 first; among equals the newest first. */
function bySeverity(a: Incident, b: Incident): number {
  return a.severity - b.severity || b.declaredAt.getTime() - a.declaredAt.getTime() || b.number - a.number;
}

/**
 * Earliest due date first, so overdue items lead; items without a date last. Items due the same
 * day in incident order, then in their own.
 */
function byDueDate(a: ActionItem & { incident: HomeIncident }, b: ActionItem & { incident: HomeIncident }): number {
  return dueOrder(a.dueOn, b.dueOn) || a.incident.number - b.incident.number || a.number - b.number;
}

/** Earliest due date first, so overdue ones lead; same day in incident order. */
function byPostmortemDue(a: Postmortem & { incident: HomeIncident }, b: Postmortem & { incident: HomeIncident }): number {
  return dueOrder(a.dueOn, b.dueOn) || a.incident.number - b.incident.number;
}

function dueOrder(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
