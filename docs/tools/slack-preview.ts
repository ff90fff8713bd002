/**
 * Block Kit JSON as a static HTML page that looks like a Slack channel, for pictures in the docs.
 *
 * It reads only the JSON a message would send, never the bot's code, so a picture shows what Slack
 * would be handed. It approximates Slack's look; it is not Slack's renderer. Every piece of text is
 * HTML-escaped: runbooks and incident titles are user text.
 */

export interface PreviewMessage {
  author: string;
  /** As the channel shows it beside the name, e.g. "03:00". */
  time: string;
  blocks: any[];
  /** Slack marks a pinned message with a tinted background and a "Pinned by" line. */
  pinned?: boolean;
  /** Apps get Slack's "APP" badge after their name; true unless said otherwise. */
  app?: boolean;
}

export interface PreviewOptions {
  /** Channel name shown in the top bar, without the #. */
  channel?: string;
  /** Page title. */
  title?: string;
  /** The moment `<!date^…>` tokens are shown relative to ("Today", "7 minutes ago"); fixed so a picture is reproducible. */
  now?: Date;
  /** IANA zone the reader is in; UTC by default, as the fallbacks are. */
  timeZone?: string;
  /** User id to display name, for `<@U123>`; an unknown id shows as itself. */
  users?: Record<string, string>;
  /** Channel id to name, for `<#C123>`. */
  channels?: Record<string, string>;
  /** Avatar per author: an emoji or a few letters. */
  avatars?: Record<string, string>;
  /** Width of the message pane in CSS pixels. */
  width?: number;
  /** Slack folds consecutive messages of one author under one name; on by default. */
  groupConsecutive?: boolean;
}

interface Ctx {
  now: Date;
  timeZone: string;
  users: Record<string, string>;
  channels: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Escaping

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Slack mrkdwn escapes only these three; anything else that looks like an entity is literal text. */
function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

// Slack shows emoji as images; a colour emoji font is the closest a static page gets. Without the
// wrapper Chromium picks a monochrome glyph from the text font for marks such as ✅ and ⏱.
const EMOJI =
  /(?:[\u00a9\u00ae\u2122]\ufe0f|(?![\u00a9\u00ae\u2122])\p{Extended_Pictographic}\ufe0f?(?:\u200d\p{Extended_Pictographic}\ufe0f?)*|[\u{1f1e6}-\u{1f1ff}]{2})/gu;

/** Escapes text and wraps its emoji for the colour emoji font. */
function textHtml(text: string): string {
  let out = '';
  let at = 0;
  for (const m of text.matchAll(EMOJI)) {
    out += escapeHtml(text.slice(at, m.index)) + `<span class="emoji">${escapeHtml(m[0])}</span>`;
    at = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(at));
}

/** The shortcodes the bot and its runbooks use, and a few common ones; others stay as `:name:`. */
const SHORTCODES: Record<string, string> = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  white_large_square: '⬜',
  black_large_square: '⬛',
  arrow_forward: '▶️',
  x: '❌',
  warning: '⚠️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  stopwatch: '⏱️',
  small_white_square: '▫️',
  rotating_light: '🚨',
  pushpin: '📌',
  fire: '🔥',
  bell: '🔔',
  eyes: '👀',
  mag: '🔍',
  memo: '📝',
  link: '🔗',
  red_circle: '🔴',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  heavy_plus_sign: '➕',
  information_source: 'ℹ️',
  thumbsup: '👍',
  '+1': '👍',
  tada: '🎉',
};

function shortcodes(text: string): string {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => SHORTCODES[name] ?? whole);
}

// ---------------------------------------------------------------------------------------------
// Dates, as Slack's <!date^…> tokens show them

const DAY_MS = 86_400_000;

function parts(at: Date, timeZone: string): Record<string, string> {
  const named = new Intl.DateTimeFormat('en-US', { timeZone, month: 'long', weekday: 'long' });
  const numeric = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const out: Record<string, string> = {};
  for (const p of numeric.formatToParts(at)) out[p.type === 'month' ? 'monthNum' : p.type] = p.value;
  for (const p of named.formatToParts(at)) if (p.type === 'month' || p.type === 'weekday') out[p.type] = p.value;
  return out;
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** Calendar days between two instants as seen in `timeZone`. */
function dayOffset(at: Date, now: Date, timeZone: string): number {
  const key = (d: Date) => {
    const p = parts(d, timeZone);
    return Date.UTC(Number(p.year), Number(p.monthNum) - 1, Number(p.day));
  };
  return Math.round((key(at) - key(now)) / DAY_MS);
}

function ago(at: Date, now: Date): string {
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds >= 0 ? 'in a few seconds' : 'a few seconds ago';
  const units: Array<[string, number]> = [
    ['year', 365 * 86_400],
    ['month', 30 * 86_400],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  const [unit, size] = units.find(([, s]) => abs >= s) ?? ['minute', 60];
  const n = Math.max(1, Math.round(abs / size));
  const amount = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return seconds >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** Slack's date format tokens; 24-hour times, as a reader who chose that in their preferences sees them. */
export function formatSlackDate(unix: number, format: string, now: Date, timeZone = 'UTC'): string {
  const at = new Date(unix * 1000);
  const p = parts(at, timeZone);
  const month = p.month ?? '';
  const short = month.slice(0, 3);
  const day = Number(p.day);
  const date = `${month} ${ordinal(day)}, ${p.year}`;
  const dateShort = `${short} ${day}, ${p.year}`;
  const dateLong = `${p.weekday}, ${date}`;
  const offset = dayOffset(at, now, timeZone);
  const pretty = offset === 0 ? 'Today' : offset === -1 ? 'Yesterday' : offset === 1 ? 'Tomorrow' : null;
  const tokens: Record<string, string> = {
    date_num: `${p.year}-${p.monthNum}-${p.day}`,
    date,
    date_short: dateShort,
    date_long: dateLong,
    date_pretty: pretty ?? date,
    date_short_pretty: pretty ?? dateShort,
    date_long_pretty: pretty ?? dateLong,
    time: `${p.hour}:${p.minute}`,
    time_secs: `${p.hour}:${p.minute}:${p.second}`,
    ago: ago(at, now),
  };
  return format.replace(/\{([a-z_]+)\}/g, (whole, name: string) => tokens[name] ?? whole);
}

// ---------------------------------------------------------------------------------------------
// mrkdwn

// Private-use characters stand in for tokens and style marks while the text is escaped; any in
// the input are replaced first, so user text cannot forge one.
const PRIVATE = /[\ue000-\ue0ff]/g;
const SLOT = /\ue000(\d+)\ue001/g;
const MARKS: Record<string, [string, string]> = {
  '*': ['\ue010', '\ue011'],
  _: ['\ue012', '\ue013'],
  '~': ['\ue014', '\ue015'],
};
const MARK_HTML: Record<string, string> = {
  '\ue010': '<b>',
  '\ue011': '</b>',
  '\ue012': '<i>',
  '\ue013': '</i>',
  '\ue014': '<s>',
  '\ue015': '</s>',
};

function safeHref(url: string): string | null {
  return /^(https?:\/\/|mailto:)[^\s"<>]+$/i.test(url) ? url : null;
}

function link(url: string, label: string): string {
  const href = safeHref(url);
  const text = textHtml(label);
  return href ? `<a class="link" href="${escapeHtml(href)}">${text}</a>` : text;
}

/** One `<…>` token: a mention, a channel, a date, a special mention or a link. */
function angleToken(body: string, ctx: Ctx): string {
  const bar = body.indexOf('|');
  const head = bar >= 0 ? body.slice(0, bar) : body;
  const label = bar >= 0 ? unescapeMrkdwn(body.slice(bar + 1)) : null;
  if (head.startsWith('@')) {
    const id = head.slice(1);
    return `<span class="mention">@${textHtml(ctx.users[id] ?? label ?? id)}</span>`;
  }
  if (head.startsWith('#')) {
    const id = head.slice(1);
    return `<span class="mention">#${textHtml(ctx.channels[id] ?? label ?? id)}</span>`;
  }
  if (head.startsWith('!date^')) {
    const [, unix, format, url] = head.split('^');
    const seconds = Number(unix);
    if (!unix || !Number.isFinite(seconds) || format === undefined) return textHtml(label ?? '');
    const shown = formatSlackDate(seconds, unescapeMrkdwn(format), ctx.now, ctx.timeZone);
    return url ? link(unescapeMrkdwn(url), shown) : `<span class="date">${textHtml(shown)}</span>`;
  }
  if (head.startsWith('!subteam^')) return `<span class="mention">${textHtml(label ?? '@group')}</span>`;
  if (head.startsWith('!')) return `<span class="mention broadcast">@${textHtml(head.slice(1))}</span>`;
  const url = unescapeMrkdwn(head);
  // Not a link Slack would make: the reader sees the characters as written.
  if (!safeHref(url) && label === null) return textHtml(`<${url}>`);
  return link(url, label ?? url);
}

/** A style mark opens after a start, space or punctuation and closes before an end, space or punctuation. */
function styleMarks(text: string): string {
  let out = text;
  for (const [mark, [open, close]] of Object.entries(MARKS)) {
    const m = mark === '*' ? '\\*' : mark;
    const re = new RegExp(
      `(^|[\\s\\p{P}\\p{S}\\ue011\\ue013\\ue015])${m}(?=[^\\s${m}])([^${m}\\n]*?[^\\s${m}])${m}(?=$|[\\s\\p{P}\\p{S}\\ue010\\ue012\\ue014])`,
      'gu',
    );
    out = out.replace(re, (_w, before: string, inner: string) => `${before}${open}${inner}${close}`);
  }
  return out;
}

/** Slack mrkdwn, as the HTML a channel would show. */
export function mrkdwnHtml(src: string, ctx: Ctx): string {
  const slots: string[] = [];
  const slot = (html: string) => `\ue000${slots.push(html) - 1}\ue001`;
  let text = src.replace(PRIVATE, '\ufffd');
  // Code first: inside backticks nothing is formatted.
  text = text.replace(/`([^`\n]+)`/g, (_w, code: string) => slot(`<code>${escapeHtml(unescapeMrkdwn(code))}</code>`));
  text = text.replace(/<([^<>\n]+)>/g, (_w, body: string) => slot(angleToken(body, ctx)));
  text = shortcodes(unescapeMrkdwn(text));
  text = styleMarks(text);
  let html = textHtml(text);
  html = html.replace(/[\ue010-\ue015]/g, (c) => MARK_HTML[c] ?? '');
  return html.replace(SLOT, (_w, i: string) => slots[Number(i)] ?? '');
}

/** A text object: plain_text shows as typed (emoji shortcodes aside), mrkdwn formatted. */
function textObject(t: any, ctx: Ctx): string {
  if (!t || typeof t.text !== 'string') return '';
  if (t.type === 'mrkdwn') return mrkdwnHtml(t.text, ctx);
  return textHtml(t.emoji === false ? t.text : shortcodes(t.text));
}

// ---------------------------------------------------------------------------------------------
// Block elements

function button(el: any, ctx: Ctx): string {
  const style = el.style === 'primary' ? ' primary' : el.style === 'danger' ? ' danger' : '';
  return `<span class="button${style}">${textObject(el.text, ctx)}</span>`;
}

function element(el: any, ctx: Ctx): string {
  switch (el?.type) {
    case 'button':
      return button(el, ctx);
    case 'overflow':
      return '<span class="button overflow">⋯</span>';
    case 'image':
      return `<span class="image" title="${escapeHtml(String(el.alt_text ?? ''))}"></span>`;
    case 'static_select':
    case 'external_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select':
    case 'multi_static_select':
      return `<span class="button select">${textObject(el.placeholder, ctx) || 'Select'} <span class="caret">▾</span></span>`;
    case 'datepicker':
      return `<span class="button select">${textHtml(String(el.initial_date ?? 'Select a date'))}</span>`;
    default:
      return `<span class="unsupported">[${textHtml(String(el?.type ?? 'element'))}]</span>`;
  }
}

function contextElement(el: any, ctx: Ctx): string {
  if (el?.type === 'image') return '<span class="context-image"></span>';
  return `<span>${textObject(el, ctx)}</span>`;
}

// ---------------------------------------------------------------------------------------------
// rich_text

const BULLETS = ['•', '◦', '▪'];

function richInline(el: any, ctx: Ctx): string {
  const style = el?.style ?? {};
  let html: string;
  switch (el?.type) {
    case 'text':
      html = style.code ? `<code>${escapeHtml(String(el.text ?? ''))}</code>` : textHtml(String(el.text ?? ''));
      break;
    case 'link':
      html = link(String(el.url ?? ''), String(el.text ?? el.url ?? ''));
      break;
    case 'user':
      html = `<span class="mention">@${textHtml(ctx.users[el.user_id] ?? String(el.user_id))}</span>`;
      break;
    case 'usergroup':
      html = `<span class="mention">@${textHtml(String(el.usergroup_id))}</span>`;
      break;
    case 'channel':
      html = `<span class="mention">#${textHtml(ctx.channels[el.channel_id] ?? String(el.channel_id))}</span>`;
      break;
    case 'broadcast':
      html = `<span class="mention broadcast">@${textHtml(String(el.range))}</span>`;
      break;
    case 'emoji':
      html = textHtml(
        typeof el.unicode === 'string'
          ? String.fromCodePoint(...el.unicode.split('-').map((h: string) => parseInt(h, 16)))
          : (SHORTCODES[el.name] ?? `:${el.name}:`),
      );
      break;
    case 'date':
      html = `<span class="date">${textHtml(formatSlackDate(Number(el.timestamp), String(el.format ?? '{date_short_pretty} {time}'), ctx.now, ctx.timeZone))}</span>`;
      break;
    default:
      html = textHtml(String(el?.text ?? el?.fallback ?? ''));
  }
  if (style.bold && !style.code) html = `<b>${html}</b>`;
  if (style.italic) html = `<i>${html}</i>`;
  if (style.strike) html = `<s>${html}</s>`;
  return html;
}

function richInlines(elements: any[] | undefined, ctx: Ctx): string {
  return (elements ?? []).map((e) => richInline(e, ctx)).join('');
}

/** Slack's code box text, byte for byte: every element literal, no emoji or mention formatting. */
function preformattedText(el: any): string {
  return (el.elements ?? []).map((e: any) => String(e?.text ?? e?.url ?? '')).join('');
}

function richElement(el: any, ctx: Ctx): string {
  switch (el?.type) {
    case 'rich_text_section':
      return `<div class="rt-section">${richInlines(el.elements, ctx)}</div>`;
    case 'rich_text_list': {
      const indent = Number(el.indent ?? 0);
      const ordered = el.style === 'ordered';
      const items = (el.elements ?? []).map((item: any, i: number) => {
        const marker = ordered ? `${Number(el.offset ?? 0) + i + 1}.` : (BULLETS[indent % BULLETS.length] ?? '•');
        return `<li><span class="marker">${marker}</span><span class="rt-item">${richInlines(item.elements, ctx)}</span></li>`;
      });
      return `<ul class="rt-list" style="margin-left:${indent * 22}px">${items.join('')}</ul>`;
    }
    case 'rich_text_preformatted': {
      // The HTML parser drops one newline right after <pre>; a doubled one keeps the text exact.
      const text = preformattedText(el);
      return `<pre class="rt-pre">${text.startsWith('\n') ? '\n' : ''}${escapeHtml(text)}</pre>`;
    }
    case 'rich_text_quote':
      return `<blockquote class="rt-quote">${richInlines(el.elements, ctx)}</blockquote>`;
    default:
      return `<div class="unsupported">[${textHtml(String(el?.type ?? 'element'))}]</div>`;
  }
}

// ---------------------------------------------------------------------------------------------
// Blocks

function block(b: any, ctx: Ctx): string {
  switch (b?.type) {
    case 'header':
      return `<div class="b-header">${textObject(b.text, ctx)}</div>`;
    case 'section': {
      const text = b.text ? `<div class="s-text">${textObject(b.text, ctx)}</div>` : '';
      const fields =
        Array.isArray(b.fields) && b.fields.length > 0
          ? `<div class="s-fields">${b.fields.map((f: any) => `<div class="s-field">${textObject(f, ctx)}</div>`).join('')}</div>`
          : '';
      const accessory = b.accessory ? `<div class="s-accessory">${element(b.accessory, ctx)}</div>` : '';
      return `<div class="b-section"><div class="s-main">${text}${fields}</div>${accessory}</div>`;
    }
    case 'context':
      return `<div class="b-context">${(b.elements ?? []).map((e: any) => contextElement(e, ctx)).join('')}</div>`;
    case 'divider':
      return '<hr class="b-divider">';
    case 'actions':
      return `<div class="b-actions">${(b.elements ?? []).map((e: any) => element(e, ctx)).join('')}</div>`;
    case 'rich_text':
      return `<div class="b-rich">${(b.elements ?? []).map((e: any) => richElement(e, ctx)).join('')}</div>`;
    case 'image':
      return `<div class="b-image">${textHtml(String(b.alt_text ?? 'image'))}</div>`;
    default:
      return `<div class="unsupported">[${textHtml(String(b?.type ?? 'block'))} block]</div>`;
  }
}

function avatar(author: string, avatars: Record<string, string>): string {
  const given = avatars[author];
  const shown =
    given ??
    author
      .split(/\s+/)
      .map((w) => w.charAt(0).toUpperCase())
      .join('')
      .slice(0, 2);
  return `<div class="avatar">${textHtml(shown)}</div>`;
}

const CSS = `
* { box-sizing: border-box; }
html, body { margin: 0; background: #fff; }
body {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Lato, Roboto, "Helvetica Neue", "Liberation Sans", Arial, sans-serif;
  font-size: 15px; line-height: 22px; color: #1d1c1d; -webkit-font-smoothing: antialiased;
}
.pane { width: var(--pane); margin: 20px auto; border: 1px solid #dddddd; border-radius: 8px; overflow: hidden; }
.topbar { height: 49px; padding: 0 20px; display: flex; align-items: center; border-bottom: 1px solid #dddddd; font-weight: 900; font-size: 18px; }
.topbar .hash { color: #616061; font-weight: 400; margin-right: 4px; }
.messages { padding: 8px 0 12px; }
.msg { padding: 8px 20px; }
.row { display: flex; }
.msg.cont { padding-top: 2px; }
.msg.pinned { background: #fef9ec; }
.gutter { width: 36px; flex: 0 0 36px; margin-right: 8px; }
.avatar { width: 36px; height: 36px; border-radius: 6px; background: #e01e5a; color: #fff; font-weight: 700; font-size: 18px;
  display: flex; align-items: center; justify-content: center; margin-top: 4px; }
.avatar .emoji { font-size: 22px; }
.body { flex: 1; min-width: 0; }
.pin-note { display: flex; font-size: 13px; color: #616061; line-height: 18px; margin-bottom: 2px; }
.pin-icon { width: 36px; margin-right: 8px; text-align: right; font-size: 12px; }
.name-row { display: flex; align-items: baseline; gap: 8px; }
.name { font-weight: 900; }
.app { font-size: 10px; line-height: 1.25; font-weight: 700; color: rgba(29,28,29,0.7); background: rgba(29,28,29,0.13);
  padding: 1px 3px; border-radius: 2px; margin-left: -4px; position: relative; top: -1px; }
.time { font-size: 12px; color: #616061; }
.blocks > * { margin: 4px 0; }
.b-header { font-size: 18px; line-height: 26px; font-weight: 900; margin: 6px 0 8px; }
.b-section { display: flex; align-items: flex-start; gap: 16px; }
.s-main { flex: 1; min-width: 0; }
.s-text, .s-field, .rt-section, .rt-item { white-space: pre-wrap; overflow-wrap: anywhere; }
.s-fields { display: grid; grid-template-columns: 1fr 1fr; column-gap: 16px; row-gap: 8px; margin-top: 2px; }
.s-text + .s-fields { margin-top: 8px; }
.s-accessory { flex: 0 0 auto; }
.b-context { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; font-size: 13px; line-height: 18px; color: #616061; }
.b-context .link { color: #1264a3; }
.b-divider { border: 0; border-top: 1px solid #dddddd; margin: 12px 0 !important; }
.b-actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 !important; }
.button { display: inline-flex; align-items: center; height: 28px; padding: 0 12px; border: 1px solid rgba(29,28,29,0.3); border-radius: 4px;
  background: #fff; color: #1d1c1d; font-size: 13px; font-weight: 700; line-height: 1; white-space: nowrap; }
.button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.button.danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
.button .caret { margin-left: 6px; font-weight: 400; }
.image, .context-image { display: inline-block; width: 88px; height: 88px; border-radius: 4px; background: #e8e8e8; }
.context-image { width: 18px; height: 18px; }
.b-image { height: 120px; background: #e8e8e8; border-radius: 4px; display: flex; align-items: center; justify-content: center; color: #616061; }
.link { color: #1264a3; text-decoration: none; }
.mention { color: #1264a3; background: rgba(29,155,209,0.1); border-radius: 3px; padding: 0 2px; }
.mention.broadcast { color: #8f6a00; background: rgba(242,199,68,0.4); }
code { font-family: Monaco, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; line-height: 18px;
  color: #e01e5a; background: rgba(29,28,29,0.04); border: 1px solid rgba(29,28,29,0.13); border-radius: 3px; padding: 2px 3px 1px; }
.rt-list { list-style: none; padding: 0; margin: 2px 0; }
.rt-list li { display: flex; }
.rt-list .marker { flex: 0 0 22px; text-align: center; }
.rt-item { flex: 1; min-width: 0; }
.rt-pre { font-family: Monaco, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; line-height: 18px;
  background: rgba(29,28,29,0.04); border: 1px solid rgba(29,28,29,0.13); border-radius: 4px; padding: 8px; margin: 4px 0;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.rt-quote { border-left: 4px solid #dddddd; margin: 4px 0; padding-left: 12px; white-space: pre-wrap; }
.emoji { font-family: "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji", sans-serif; font-style: normal; font-weight: 400; }
.unsupported { color: #a0a0a0; font-size: 12px; }
`;

/** A self-contained page (inline CSS, no scripts, no network) showing the messages as a Slack channel would. */
export function slackPreviewHtml(messages: PreviewMessage[], options: PreviewOptions = {}): string {
  const ctx: Ctx = {
    now: options.now ?? new Date(),
    timeZone: options.timeZone ?? 'UTC',
    users: options.users ?? {},
    channels: options.channels ?? {},
  };
  const avatars = options.avatars ?? {};
  const group = options.groupConsecutive ?? true;
  const width = options.width ?? 720;
  const rendered = messages.map((m, i) => {
    const previous = messages[i - 1];
    // A pinned message always shows its author: Slack starts a new group at a pin.
    const continued = group && previous !== undefined && previous.author === m.author && !m.pinned && !previous.pinned;
    const isApp = m.app ?? true;
    const pin = m.pinned ? `<div class="pin-note"><span class="pin-icon emoji">📌</span>Pinned by ${textHtml(m.author)}</div>` : '';
    const head = continued
      ? ''
      : `<div class="name-row"><span class="name">${textHtml(m.author)}</span>${isApp ? '<span class="app">APP</span>' : ''}<span class="time">${textHtml(m.time)}</span></div>`;
    const blocks = `<div class="blocks">${(m.blocks ?? []).map((b) => block(b, ctx)).join('')}</div>`;
    const classes = ['msg', continued ? 'cont' : '', m.pinned ? 'pinned' : ''].filter(Boolean).join(' ');
    return `<div class="${classes}">${pin}<div class="row"><div class="gutter">${continued ? '' : avatar(m.author, avatars)}</div><div class="body">${head}${blocks}</div></div></div>`;
  });
  const topbar = options.channel ? `<div class="topbar"><span class="hash">#</span>${textHtml(options.channel)}</div>` : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(options.title ?? (options.channel ? `#${options.channel}` : 'Slack preview'))}</title>`,
    `<style>:root { --pane: ${Math.max(200, Math.floor(width))}px; }${CSS}</style>`,
    '</head><body>',
    `<div class="pane">${topbar}<div class="messages">${rendered.join('\n')}</div></div>`,
    '</body></html>',
    '',
  ].join('\n');
}
