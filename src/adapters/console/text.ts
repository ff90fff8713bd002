import type { Markup } from '../../core/runbook/markup';
import type { Span, Text } from '../../core/text/text';
import { escapeHtml, html, httpUrl, localPath, raw, SafeHtml } from './html';

/** A person's display name, or null to show the id. */
export type Names = (id: string) => string | null;

/** Where a span may link inside the console. */
export interface TextLinks {
  /** The console page of the incident whose room this is; null when there is none. */
  incident?: (channel: string) => string | null;
}

/** The prefix the console's command box reads. */
export const COMMAND_PREFIX = '/incident';

const NO_NAMES: Names = () => null;

/** `2025-03-07 09:15 UTC`: what a time reads as before (or without) console.js. */
export function utcWords(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function validDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

/**
 * A `<time>` element: UTC in the page, the reader's own zone once console.js runs. `relative` adds
 * how long ago (or how far ahead) it is, which console.js keeps current.
 */
export function timeHtml(at: Date | null | undefined, relative = false): SafeHtml {
  if (!validDate(at)) return html`<span class="time-unknown">unknown time</span>`;
  const iso = at.toISOString();
  return relative ? html`<time datetime="${iso}" data-relative>${utcWords(at)}</time>` : html`<time datetime="${iso}">${utcWords(at)}</time>`;
}

/** A person by display name; the id when nobody has named them. */
export function personHtml(id: string, names: Names): SafeHtml {
  return html`<span class="person">${displayName(id, names)}</span>`;
}

export function displayName(id: string, names: Names): string {
  let name: string | null;
  try {
    name = names(id);
  } catch {
    name = null;
  }
  return name && name.trim() ? name.trim() : id;
}

/** Plain text whose line breaks are kept: escaped, with `<br>` for each newline. */
function linesHtml(text: string): SafeHtml {
  if (!text.includes('\n') && !text.includes('\r')) return html`${text}`;
  return raw(
    text
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((l) => escapeHtml(l))
      .join('<br>'),
  );
}

/** An external link, only for an http(s) URL; anything else (javascript:, data:) shows its title as text. */
export function linkHtml(url: string, title: string): SafeHtml {
  const href = httpUrl(url);
  return href ? html`<a href="${href}" rel="noopener noreferrer" target="_blank">${title}</a>` : html`${title}`;
}

function spanHtml(s: Span, names: Names, links: TextLinks | undefined): SafeHtml {
  if (typeof s === 'string') return linesHtml(s);
  if ('user' in s) return personHtml(s.user, names);
  if ('channel' in s) {
    let href: string | null;
    try {
      href = links?.incident?.(s.channel) ?? null;
    } catch {
      href = null;
    }
    const local = href !== null ? (localPath(href) ?? httpUrl(href)) : null;
    return local ? html`<a href="${local}">the incident page</a>` : html`the incident page`;
  }
  if ('time' in s) return timeHtml(s.time, s.relative === true);
  if ('command' in s) return html`<code class="command">${COMMAND_PREFIX} ${s.command}</code>`;
  if ('code' in s) return html`<code>${s.code}</code>`;
  if ('strong' in s) return html`<strong>${s.strong}</strong>`;
  if ('link' in s) return linkHtml(s.link, s.title);
  return html``;
}

/**
 * The core's neutral text as HTML. Plain strings are escaped (their line breaks kept), so nothing
 * a person typed becomes markup; people show by name, times as `<time>`, commands with the
 * console's prefix, links only to http(s) addresses.
 */
export function textHtml(text: Text, names: Names = NO_NAMES, links?: TextLinks): SafeHtml {
  return html`${text.map((s) => spanHtml(s, names, links))}`;
}

/**
 * Runbook markup: paragraphs (line breaks kept), one-level lists, and code blocks byte for byte in
 * `<pre><code>`. A carriage return in code is written as a character reference, which the HTML
 * parser does not fold into a newline.
 */
export function markupHtml(m: Markup): SafeHtml {
  return html`${m.map((b) => {
    if (b.type === 'paragraph') return html`<p>${b.lines.map((l, i) => html`${i > 0 ? raw('<br>') : ''}${textHtml(l)}`)}</p>`;
    if (b.type === 'list') return html`<ul>${b.items.map((t) => html`<li>${textHtml(t)}</li>`)}</ul>`;
    const code = raw(escapeHtml(b.code).replace(/\r/g, '&#13;'));
    return b.lang ? html`<pre><code class="language-${b.lang}">${code}</code></pre>` : html`<pre><code>${code}</code></pre>`;
  })}`;
}
