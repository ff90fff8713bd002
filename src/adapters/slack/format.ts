import { plainText, sliceWhole, type Span, type Text } from '../../core/text/text';

/** The slash command every Slack user types; core texts name commands without it. */
export const SLASH_COMMAND = '/incident';

/**
 * A time Slack shows in each reader's own time zone, with a UTC fallback for old clients.
 * `relative` adds "(12 minutes ago)" or "(in 8 minutes)", which Slack keeps current by itself.
 */
export function slackTime(at: Date, relative = false): string {
  const unix = Math.floor(at.getTime() / 1000);
  const fallback = at.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return `<!date^${unix}^{date_short_pretty} at {time}${relative ? ' ({ago})' : ''}|${fallback}>`;
}

export function mention(userId: string): string {
  return `<@${userId}>`;
}

/** Neutral text as Slack mrkdwn. Plain strings are escaped, so user text never becomes a mention or a link. */
export function mrkdwn(text: Text): string {
  return text.map(span).join('');
}

function span(s: Span): string {
  if (typeof s === 'string') return escape(s);
  if ('user' in s) return mention(s.user);
  if ('channel' in s) return `<#${s.channel}>`;
  if ('time' in s) return slackTime(s.time, s.relative);
  if ('command' in s) return `\`${escape(`${SLASH_COMMAND} ${s.command}`)}\``;
  if ('code' in s) return `\`${escape(s.code)}\``;
  if ('strong' in s) return `*${escape(s.strong)}*`;
  return safeUrl(s.link) ? `<${s.link}|${escape(s.title)}>` : escape(s.title);
}

/** A link Slack would show as we mean it: http(s), and nothing that ends the <url|title> token early. */
export function safeUrl(url: string): boolean {
  return /^https?:\/\/[^\s<>|]+$/.test(url);
}

/** Slack's mrkdwn treats &, < and > as control characters. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${sliceWhole(text, max - 1)}…`;
}

/** A refusal inside a modal is plain text: commands keep their slash so they can be typed as read. */
export function modalText(text: Text): string {
  return plainText(text.map((s) => (typeof s === 'object' && 'command' in s ? `${SLASH_COMMAND} ${s.command}` : s)));
}
