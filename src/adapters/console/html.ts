// Set by SafeHtml's static block: the only way to wrap a string, kept inside this module.
let trust: (s: string) => SafeHtml;

/**
 * HTML built by the console's pages. Every value interpolated into `html\`…\`` is escaped unless it
 * is already SafeHtml, so text a person typed (a title, a note, a name) can only ever show as the
 * characters typed. SafeHtml cannot be made from a string except by `raw`, which is for constants
 * of this code base only, never for data.
 */
export class SafeHtml {
  readonly #html: string;

  private constructor(html: string) {
    this.#html = html;
  }

  static {
    trust = (s) => new SafeHtml(s);
  }

  toString(): string {
    return this.#html;
  }
}

/**
 * What may be interpolated: SafeHtml as is, text escaped, numbers as digits, and nothing for
 * null, undefined and false (so `cond && html\`…\`` works). Arrays are joined without separator.
 */
export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = /[&<>"']/g;

/** Text as HTML: `& < > " '` become character references. Safe in element content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(SPECIAL, (c) => ESCAPES[c]!);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return escapeHtml(String(value));
  if (Array.isArray(value)) {
    let out = '';
    for (const v of value as readonly HtmlValue[]) out += render(v);
    return out;
  }
  // Only reachable by a cast around the types: never let an unknown object through unescaped.
  return escapeHtml(String(value));
}

/** The tagged template: the literal parts are trusted markup, every interpolation is escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return trust(out);
}

/** Trusted markup of this code base (a constant). Never pass data here. */
export function raw(markup: string): SafeHtml {
  return trust(markup);
}

/**
 * An attribute value, escaped the same way; always put it between double quotes. Interpolating
 * the string into `html` does exactly this, so `attr` is only for building strings by hand.
 */
export function attr(value: string | number): SafeHtml {
  return trust(escapeHtml(String(value)));
}

/** The items joined by `separator` (itself trusted only if SafeHtml). */
export function joinHtml(items: readonly HtmlValue[], separator: HtmlValue = ''): SafeHtml {
  const sep = render(separator);
  return trust(items.map(render).join(sep));
}

/** An absolute http(s) URL, fit for an href that leaves the console; null for anything else (javascript:, data:, relative). */
export function httpUrl(url: string): string | null {
  const trimmed = url.trim();
  if (!/^https?:\/\//i.test(trimmed)) return null;
  try {
    const u = new URL(trimmed);
    return u.protocol === 'http:' || u.protocol === 'https:' ? trimmed : null;
  } catch {
    return null;
  }
}

/** A path on this server (`/console/…`), fit for an href; null for anything else, `//host` included. */
export function localPath(path: string): string | null {
  return /^\/(?![/\\])[^\s]*$/.test(path) ? path : null;
}

/**
 * Data for console.js in `<script type="application/json" id="…">`. The JSON escapes `<`, `>` and
 * `&` (and the two line separators JavaScript once choked on), so no value can close the script
 * element, open a comment or otherwise end the data early.
 */
export function jsonScript(id: string, value: unknown): SafeHtml {
  const json = (JSON.stringify(value) ?? 'null')
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return html`<script type="application/json" id="${id}">${raw(json)}</script>`;
}
