import { plainText, type Span, type Text } from '../text/text';

/**
 * Runbook text (step details, edge cases) in a small Markdown subset that every surface can show
 * natively: paragraphs whose line breaks are kept, one-level `- ` lists, **bold**, `code`,
 * [links](https://…) and ``` fenced code kept byte for byte. docs/runbook-format.md is the reference.
 * Anything else is refused by `runbooks check` rather than shown half-rendered on one surface.
 */
export type MarkupBlock = { type: 'paragraph'; lines: Text[] } | { type: 'list'; items: Text[] } | { type: 'code'; code: string; lang: string | null };

export type Markup = MarkupBlock[];

export interface MarkupProblem {
  /** 1-based, within the field. */
  line: number;
  message: string;
}

const FENCE = '```';
const FENCE_OPEN = /^```([A-Za-z0-9_+-]+)?$/;
// They look alike in prose but break a pasted command or query.
const TYPOGRAPHIC: Record<string, string> = { '“': '"', '”': '"', '‘': "'", '’': "'", '–': '-', '—': '-' };
const TYPOGRAPHIC_ANY = /[“”‘’–—]/;
const HTTP_URL = /^https?:\/\/\S+$/;
const LINK = /^\[([^\]]+)\]\(([^()\s]*)\)/;
// `*word*`, `*a few words*`: a star touching text on both inner sides. `5 * 3` and `ws_*` stay text.
const SINGLE_STAR = /\*[^\s*](?:[^*]*[^\s*])?\*/;
/**
 * An HTML tag: `<b>`, `</b>`, `<br/>`, or a name followed by an attribute (`<div class=…>`), when the
 * name is one of the formatting or layout elements renderers act on. Placeholders stay text: `<ws_id>`,
 * `<queue>`, `<storage_key from the log line>` (not an element name, or no `>` right after it).
 */
const HTML_TAG = /<\/?([a-z][a-z0-9]*)(?:\s*\/?>|\s+[a-z-]+\s*=)/gi;
const HTML_ELEMENTS = new Set(
  (
    'a abbr audio b big blockquote br caption center cite code dd del details div dl dt em embed font ' +
    'h1 h2 h3 h4 h5 h6 hr i iframe img ins kbd li mark ol p picture pre q s samp script small span ' +
    'strike strong style sub summary sup table tbody td tfoot th thead tr tt u ul var video wbr'
  ).split(' '),
);

/** Reads `src` into blocks, and every unsupported construct as a problem; the blocks then show it as plain text. */
export function parseMarkup(src: string): { markup: Markup; problems: MarkupProblem[] } {
  const lines = src.split('\n');
  if (lines[lines.length - 1] === '') lines.pop(); // a YAML `|` block ends with a newline
  const markup: Markup = [];
  const problems: MarkupProblem[] = [];
  const report = (line: number, message: string) => problems.push({ line, message });
  // The paragraph or list that the next line of the same kind continues; a blank line or a code block closes it.
  let open: MarkupBlock | null = null;
  const add = (type: 'paragraph' | 'list', text: Text) => {
    if (open?.type !== type) {
      open = type === 'paragraph' ? { type, lines: [] } : { type, items: [] };
      markup.push(open);
    }
    if (open.type === 'paragraph') open.lines.push(text);
    else if (open.type === 'list') open.items.push(text);
  };

  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i]!;
    const line = raw.trimEnd();
    if (line === '') {
      open = null;
      continue;
    }
    if (raw.startsWith(FENCE)) {
      // A malformed opening fence still opens a block, so its closing fence does not open another.
      const fence = FENCE_OPEN.exec(raw);
      if (!fence) report(n, `a code fence is a line holding only ${FENCE}, optionally followed by one language word (${FENCE}bash)`);
      open = null;
      const close = lines.indexOf(FENCE, i + 1);
      if (close < 0) report(n, `this code block is never closed: end it with a line holding only ${FENCE} (nothing before or after it)`);
      const end = close < 0 ? lines.length : close;
      const body = lines.slice(i + 1, end);
      body.forEach((l, j) => checkCode(l, n + 1 + j, report));
      markup.push({ type: 'code', code: body.join('\n'), lang: fence?.[1] ?? null });
      i = end;
      continue;
    }
    const refusal = blockRefusal(line);
    if (refusal) {
      report(n, refusal);
      add('paragraph', [line]);
    } else if (line.startsWith('- ')) {
      add('list', inline(line.slice(2).trimStart(), n, report));
    } else {
      add('paragraph', inline(line.replace(/^ /, ''), n, report));
    }
  }
  return { markup, problems };
}

/** Why a whole line is not supported, if it is not. */
function blockRefusal(line: string): string | null {
  const indent = /^[ \t]*/.exec(line)![0];
  const rest = line.slice(indent.length);
  if (indent && /^[-*+] /.test(rest))
    return 'nested or indented list items are not supported: lists have one level, each item starting with "- " at the start of the line';
  if (indent.includes('\t') || indent.length >= 2)
    return `indented lines are not supported: put commands in a fenced code block (a line holding only ${FENCE} before and after them)`;
  if (rest.startsWith('~~~')) return `fence code with ${FENCE}, not ~~~`;
  if (/^#+(\s|$)/.test(rest)) return 'headings are not supported: write a paragraph, with the key words in **bold** if they must stand out';
  if (/^\d+[.)](\s|$)/.test(rest)) return 'numbered lists are not supported: use "- " bullets, in order, and say the order in words if it matters';
  if (rest.startsWith('>')) return 'block quotes are not supported: write a paragraph, or put quoted output in a fenced code block';
  if (rest.startsWith('|')) return 'tables are not supported: use a "- " list with one item per row';
  if (/^[*+] /.test(rest)) return 'list items start with "- " (a dash and a space)';
  if (/^- *$/.test(rest)) return 'this list item is empty: write its text after "- "';
  return null;
}

function checkCode(line: string, n: number, report: (line: number, message: string) => void): void {
  const c = TYPOGRAPHIC_ANY.exec(line)?.[0];
  if (c) report(n, typographic(c, 'code block'));
}

function typographic(c: string, where: string): string {
  return `the ${where} holds the typographic character ${c}: type the plain ${TYPOGRAPHIC[c]} instead, or the copied command fails`;
}

/** One line of prose into spans; what is not supported stays as its literal characters. */
function inline(src: string, n: number, report: (line: number, message: string) => void): Text {
  const out: Span[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push(plain);
    plain = '';
  };
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    if (rest.startsWith('`')) {
      const end = src.indexOf('`', i + 1);
      if (end < 0) {
        report(n, 'unbalanced backtick: close inline code with a second ` on the same line, or put the command in a fenced code block');
        plain += rest;
        break;
      }
      const code = src.slice(i + 1, end);
      const c = TYPOGRAPHIC_ANY.exec(code)?.[0];
      if (c) report(n, typographic(c, 'inline code'));
      if (code === '') {
        report(n, 'empty inline code ``: write the text between the backticks, or remove them');
        plain += '``';
      } else {
        flush();
        out.push({ code });
      }
      i = end + 1;
    } else if (rest.startsWith('**')) {
      const end = src.indexOf('**', i + 2);
      if (end < i + 3) {
        report(n, 'unclosed **: close the bold text with ** on the same line');
        plain += rest;
        break;
      }
      flush();
      out.push({ strong: src.slice(i + 2, end) });
      i = end + 2;
    } else if (rest.startsWith('![')) {
      report(n, 'images are not supported: link to the image instead, [title](https://…)');
      plain += '![';
      i += 2;
    } else if (LINK.test(rest)) {
      const [whole, title, url] = LINK.exec(rest)!;
      if (HTTP_URL.test(url!)) {
        flush();
        out.push({ link: url!, title: title! });
      } else {
        report(n, `the link to "${url}" is not an http(s) URL: link to a full https://… address`);
        plain += whole;
      }
      i += whole.length;
    } else {
      plain += src[i];
      i++;
    }
  }
  flush();
  for (const s of out) {
    if (typeof s === 'string') checkProse(s, n, report);
    else if ('strong' in s) checkProse(s.strong, n, report);
  }
  return out;
}

function checkProse(text: string, n: number, report: (line: number, message: string) => void): void {
  if (text.includes('~~')) report(n, 'strikethrough ~~ is not supported: remove the text, or say in words that it no longer applies');
  const star = SINGLE_STAR.exec(text)?.[0];
  if (star) report(n, `single-star emphasis ${star} is not supported: use **bold**, or plain text`);
  for (const m of text.matchAll(HTML_TAG)) {
    if (HTML_ELEMENTS.has(m[1]!.toLowerCase())) {
      const tag = m[0].endsWith('>') ? m[0] : `${m[0]}…>`;
      report(n, `HTML tags such as ${tag} are not supported: use **bold**, \`code\` or a "- " list; put literal markup in \`inline code\``);
    }
  }
}

const cache = new Map<string, Markup>();
const CACHE_MAX = 1000;

/** Cached parse for rendering (runbooks are loaded once, rendered often); unsupported syntax is rendered as plain text, never thrown. */
export function markupOf(src: string): Markup {
  let m = cache.get(src);
  if (!m) {
    m = parseMarkup(src).markup;
    // Runbook texts are a fixed set; the cap only guards against a caller feeding it arbitrary text.
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(src, m);
  }
  return m;
}

/** The first line a person reads: the first paragraph line or list item as Text, or the first code line as {code}. Empty array if none. */
export function firstLine(m: Markup): Text {
  for (const b of m) {
    if (b.type === 'paragraph' && b.lines[0]) return b.lines[0];
    if (b.type === 'list' && b.items[0]) return b.items[0];
    if (b.type === 'code') {
      const line = b.code.split('\n').find((l) => l.trim() !== '');
      if (line !== undefined) return [{ code: line }];
    }
  }
  return [];
}

/** The text as plain characters (logs, previews): list items keep their "- ", code its exact text. */
export function markupPlainText(m: Markup): string {
  return m
    .map((b) => {
      if (b.type === 'paragraph') return b.lines.map(plainText).join('\n');
      if (b.type === 'list') return b.items.map((t) => `- ${plainText(t)}`).join('\n');
      return b.code;
    })
    .join('\n\n');
}
