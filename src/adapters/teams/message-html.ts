/**
 * A Teams message body (`messagePayload.body`, HTML) as the plain text a reader saw. The result is
 * stored and shown as text, escaped by every surface, so this only has to read well: a tag it does
 * not know is dropped, and anything that was text in Teams (`&lt;script&gt;`) stays that text.
 */
export function messageBodyText(body: { contentType?: string; content?: string } | null | undefined): string {
  const content = typeof body?.content === 'string' ? body.content : '';
  if (body?.contentType === 'text') return tidy(content);
  return tidy(decodeEntities(withoutTags(content)));
}

// A tag with its attributes, where a quoted value may hold `>`.
const TAG = /<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
// What a reader never saw as text: a card or file (<attachment>), code that never ran, comments.
const HIDDEN = /<(attachment|script|style|template)\b(?:[^>"']|"[^"]*"|'[^']*')*>[\s\S]*?<\/\1\s*>/gi;
const COMMENT = /<!--[\s\S]*?-->/g;
const BREAKS_AFTER = new Set(['p', 'div', 'tr', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'table']);

function withoutTags(html: string): string {
  return html
    .replace(COMMENT, '')
    .replace(HIDDEN, '')
    .replace(TAG, (_tag, closing: string, name: string, attrs: string) => {
      const tag = name.toLowerCase();
      if (tag === 'br') return '\n';
      if (!closing && tag === 'li') return '\n• ';
      if (closing && BREAKS_AFTER.has(tag)) return '\n';
      // An emoji is an <img> or <emoji> whose alt is the character itself.
      if (!closing && (tag === 'img' || tag === 'emoji')) return altOf(attrs);
      return '';
    });
}

function altOf(attrs: string): string {
  const m = /\balt\s*=\s*("([^"]*)"|'([^']*)')/i.exec(attrs);
  // The alt is still HTML-encoded here; it is decoded with the rest of the text.
  return m ? (m[2] ?? m[3] ?? '') : '';
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    // No NUL, no lone surrogates, nothing past Unicode: those stay as written.
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
    return String.fromCodePoint(code);
  });
}

/** Spaces as a browser shows them; at most one empty line in a row. */
function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
