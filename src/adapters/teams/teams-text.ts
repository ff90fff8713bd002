import { plainText, sliceWhole, type Span, type Text } from '../../core/text/text';
import type { Markup, MarkupBlock } from '../../core/runbook/markup';

/** One Adaptive Card element or inline, as JSON. */
export type Element = Record<string, unknown>;

/** A person's display name, or null when the directory does not know them (the id is shown). */
export type Names = (userId: string) => string | null;

/** How a Teams user addresses the bot; core texts name commands without it. */
export const TEAMS_COMMAND = '@Incident';

// Same rule as the runbook parser: only http(s) becomes a clickable link; anything else stays text.
const HTTP_URL = /^https?:\/\/\S+$/;

export function isHttpUrl(url: string): boolean {
  return HTTP_URL.test(url);
}

export interface RunStyle {
  weight?: 'Bolder';
  fontType?: 'Monospace';
  italic?: boolean;
  isSubtle?: boolean;
  size?: 'Medium' | 'Large';
}

/**
 * A TextRun. Teams does not process markdown in a TextRun, so user and runbook text goes here and
 * shows literally (`**x**`, `<script>`, `[a](b)`); never in a TextBlock, whose text is markdown.
 */
export function run(text: string, style: RunStyle = {}): Element {
  return { type: 'TextRun', text, ...style };
}

/** A RichTextBlock of runs; RichTextBlock always wraps (it has no `wrap`, and the schema refuses one). */
export function rich(inlines: Element[], props: Element = {}): Element {
  return { type: 'RichTextBlock', inlines, ...props };
}

/**
 * Fixed text we write ourselves, never user input, with no markdown characters in it: the one place
 * a TextBlock is used, because only a TextBlock evaluates the DATE/TIME functions.
 */
export function fixedText(text: string, props: Element = {}): Element {
  return { type: 'TextBlock', text, wrap: true, ...props };
}

/**
 * A time in each reader's own time zone. Teams evaluates {{DATE()}} and {{TIME()}} in a TextBlock
 * only, and wants the ISO form without milliseconds. Inside a RichTextBlock (a time next to a name or
 * runbook text) the functions would show raw, so there the time is plain UTC (utcText) instead;
 * `relative` ("in 8 minutes") has no Adaptive Card equivalent and is not shown either way.
 */
export function timeTextBlock(at: Date, props: Element = {}): Element {
  const iso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return fixedText(`{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}`, props);
}

/** "2026-12-01 03:00 UTC": the same as plainText, so logs and cards agree. */
export function utcText(at: Date): string {
  return plainText([{ time: at }]);
}

/** True when the text is one time and nothing else, so it can be a TextBlock with DATE/TIME. */
export function singleTime(text: Text): Date | null {
  const spans = text.filter((s) => s !== '');
  const only = spans.length === 1 ? spans[0]! : null;
  return only && typeof only !== 'string' && 'time' in only ? only.time : null;
}

/**
 * A Teams conversation id (`19:3a8f…@thread.tacv2`) means nothing to a reader; a short form of it
 * at least tells two rooms apart.
 */
export function channelText(id: string): string {
  const core = id.replace(/^[a-z0-9]+:/i, '').split(/[@;]/)[0] ?? '';
  return `#${core.slice(0, 8) || 'thread'}`;
}

export function clipChars(text: string, max: number): string {
  return text.length <= max ? text : `${sliceWhole(text, max - 1)}…`;
}

/** One span as runs; plain strings are kept as they are (a TextRun needs no escaping). */
function spanRuns(s: Span, names: Names): Element[] {
  if (typeof s === 'string') return s ? [run(s)] : [];
  if ('user' in s) return [run(names(s.user) ?? s.user)];
  if ('channel' in s) return [run(channelText(s.channel))];
  if ('time' in s) return [run(utcText(s.time))];
  if ('command' in s) return [run(`${TEAMS_COMMAND} ${s.command}`, { fontType: 'Monospace' })];
  if ('code' in s) return [run(s.code, { fontType: 'Monospace' })];
  if ('strong' in s) return [run(s.strong, { weight: 'Bolder' })];
  if (!isHttpUrl(s.link)) return [run(s.title)];
  return [{ ...run(s.title), selectAction: { type: 'Action.OpenUrl', url: s.link } }];
}

/** Spans as runs; neighbouring unstyled runs merge, which keeps big checklists under the size limit. */
export function runs(text: Text, names: Names): Element[] {
  const out: Element[] = [];
  for (const e of text.flatMap((s) => spanRuns(s, names))) {
    const last = out[out.length - 1];
    if (last && isPlain(last) && isPlain(e)) last.text = `${String(last.text)}${String(e.text)}`;
    else out.push(e);
  }
  return out;
}

function isPlain(e: Element): boolean {
  return Object.keys(e).length === 2;
}

/** The text split at its line breaks, each line still a Text. */
function lines(text: Text): Text[] {
  const out: Text[] = [[]];
  for (const s of text) {
    if (typeof s !== 'string' || !s.includes('\n')) {
      out[out.length - 1]!.push(s);
      continue;
    }
    s.split('\n').forEach((part, i) => {
      if (i > 0) out.push([]);
      if (part) out[out.length - 1]!.push(part);
    });
  }
  return out;
}

/**
 * Text as one RichTextBlock per line: a line break inside a TextRun is not reliably shown by every
 * Teams client, a new block is. `props` go on the first block; the lines after it sit close under it.
 */
export function richLines(text: Text, names: Names, props: Element = {}): Element[] {
  return lines(text)
    .map((line) => runs(line, names))
    .filter((inlines) => inlines.length > 0)
    .map((inlines, i) => rich(inlines, i === 0 ? props : { spacing: 'None' }));
}

/** Runbook markup as card elements: paragraph lines and list items as blocks, code exactly as written. */
export function markupElements(m: Markup, names: Names): Element[] {
  return m.flatMap((b) => blockElements(b, names));
}

function blockElements(b: MarkupBlock, names: Names): Element[] {
  if (b.type === 'paragraph') return b.lines.flatMap((line, i) => richLines(line, names, i === 0 ? {} : { spacing: 'None' }));
  if (b.type === 'list') return b.items.flatMap((item, i) => richLines(['• ', ...item], names, i === 0 ? { spacing: 'Small' } : { spacing: 'None' }));
  // Nothing to copy, no box (as in Slack). The code keeps its line breaks: it must copy byte for byte.
  if (b.code === '') return [];
  return [{ type: 'Container', style: 'emphasis', items: [rich([run(b.code, { fontType: 'Monospace' })])] }];
}

/** Teams reads a message's `text` as HTML (textFormat 'xml'): these three make any text literal there. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface Mention {
  type: 'mention';
  text: string;
  mentioned: { id: string; name: string };
}

/**
 * Text for a plain Teams message (textFormat 'xml'): every piece of user text escaped, so it can never
 * become markup or a mention; a known person becomes an <at> mention with its entity (Teams pings only
 * for an <at> that has one), an unknown one their escaped id. Line breaks become <br>, as HTML collapses them.
 */
export function messageText(text: Text, people: (userId: string) => { id: string; name: string } | null): { text: string; entities: Mention[] } {
  const entities: Mention[] = [];
  const html = (s: Span): string => {
    if (typeof s === 'string') return escapeHtml(s);
    if ('user' in s) {
      const p = people(s.user);
      if (!p) return escapeHtml(s.user);
      const at = `<at>${escapeHtml(p.name)}</at>`;
      entities.push({ type: 'mention', text: at, mentioned: { id: p.id, name: p.name } });
      return at;
    }
    if ('channel' in s) return escapeHtml(channelText(s.channel));
    if ('time' in s) return escapeHtml(utcText(s.time));
    if ('command' in s) return `<code>${escapeHtml(`${TEAMS_COMMAND} ${s.command}`)}</code>`;
    if ('code' in s) return `<code>${escapeHtml(s.code)}</code>`;
    if ('strong' in s) return `<b>${escapeHtml(s.strong)}</b>`;
    if (!isHttpUrl(s.link)) return escapeHtml(s.title);
    return `<a href="${escapeHtml(s.link).replace(/"/g, '&quot;')}">${escapeHtml(s.title)}</a>`;
  };
  return { text: text.map(html).join('').replace(/\n/g, '<br>'), entities };
}
