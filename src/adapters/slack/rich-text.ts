import { plainText, type Span, type Text } from '../../core/text/text';
import type { Markup, MarkupBlock } from '../../core/runbook/markup';
import { SLASH_COMMAND } from './format';

type Element = Record<string, unknown>;

/**
 * Slack documents no length limit for a rich_text text element; 3,000 is the limit of its other text
 * fields (a section's text), kept here so no single element is the one Slack refuses. Runbook details
 * stay under 2,500 characters, so only edge cases or non-runbook text can reach it.
 */
export const RICH_TEXT_ELEMENT_MAX = 3000;

/**
 * Markup as one Block Kit `rich_text` block. Its text is literal (no mrkdwn, no escaping), so commands
 * keep every `<`, `&` and `*`. Do not send it with an empty `m`: Slack refuses a rich_text without elements.
 */
export function richTextBlock(m: Markup, blockId?: string): Record<string, unknown> {
  return { type: 'rich_text', ...(blockId ? { block_id: blockId } : {}), elements: m.flatMap(blockElements) };
}

function blockElements(b: MarkupBlock): Element[] {
  if (b.type === 'paragraph') {
    const spans = b.lines.flatMap((line, i) => (i === 0 ? line : ['\n', ...line]));
    return [{ type: 'rich_text_section', elements: inline(spans) }];
  }
  if (b.type === 'list') {
    return [{ type: 'rich_text_list', style: 'bullet', elements: b.items.map((t) => ({ type: 'rich_text_section', elements: inline(t) })) }];
  }
  // A code box longer than one element continues in the next box: split between lines, so each box
  // still copies as whole lines; `codeChunks(code).join('\n') === code`. Nothing to copy, no box.
  return codeChunks(b.code)
    .filter((chunk) => chunk !== '')
    .map((chunk) => ({ type: 'rich_text_preformatted', elements: [{ type: 'text', text: chunk }] }));
}

/** Lines packed into pieces of at most RICH_TEXT_ELEMENT_MAX characters; only a longer line is cut inside. */
export function codeChunks(code: string, max = RICH_TEXT_ELEMENT_MAX): string[] {
  const chunks: string[] = [];
  let current: string | null = null;
  for (const line of code.split('\n')) {
    if (current !== null && current.length + 1 + line.length <= max) {
      current += `\n${line}`;
      continue;
    }
    if (current !== null) chunks.push(current);
    const pieces = cut(line, max);
    chunks.push(...pieces.slice(0, -1));
    current = pieces[pieces.length - 1]!;
  }
  if (current !== null) chunks.push(current);
  return chunks;
}

/** Spans as rich text elements; neighbouring plain strings become one element. */
function inline(text: Text): Element[] {
  const out: Element[] = [];
  for (const s of text) {
    const e = element(s);
    const last = out[out.length - 1];
    if (isPlain(e) && last && isPlain(last)) last.text = `${String(last.text)}${String(e.text)}`;
    else out.push(e);
  }
  return out.flatMap((e) => (e.type === 'text' ? cut(String(e.text), RICH_TEXT_ELEMENT_MAX).map((t) => ({ ...e, text: t })) : [e]));
}

function isPlain(e: Element): boolean {
  return e.type === 'text' && e.style === undefined;
}

function element(s: Span): Element {
  if (typeof s === 'string') return { type: 'text', text: s };
  if ('strong' in s) return { type: 'text', text: s.strong, style: { bold: true } };
  if ('code' in s) return { type: 'text', text: s.code, style: { code: true } };
  if ('link' in s) return /^https?:\/\/\S+$/.test(s.link) ? { type: 'link', url: s.link, text: s.title } : { type: 'text', text: s.title };
  if ('command' in s) return { type: 'text', text: `${SLASH_COMMAND} ${s.command}`, style: { code: true } };
  if ('user' in s) return { type: 'user', user_id: s.user };
  if ('channel' in s) return { type: 'channel', channel_id: s.channel };
  if ('time' in s) {
    const fallback = plainText([s]);
    return { type: 'date', timestamp: Math.floor(s.time.getTime() / 1000), format: '{date_short_pretty} {time}', fallback };
  }
  return { type: 'text', text: plainText([s]) };
}

/** `text` in pieces of at most `max` UTF-16 units, never between the two halves of a surrogate pair. */
function cut(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + max, text.length);
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Characters a reader sees in a rich_text block, for packing blocks under Slack's message-size limits. */
export function richTextLength(block: Record<string, unknown>): number {
  const walk = (e: unknown): number => {
    if (typeof e !== 'object' || e === null) return 0;
    const o = e as Element;
    if (Array.isArray(o.elements)) return o.elements.reduce((n: number, c) => n + walk(c), 0);
    return typeof o.text === 'string' ? o.text.length : typeof o.url === 'string' ? o.url.length : 0;
  };
  return walk(block);
}
