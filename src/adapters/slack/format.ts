import type { ViewText } from '../../core/render/views';

/** A time Slack shows in each reader's own time zone, with a UTC fallback for old clients. */
export function slackTime(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  const fallback = at.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return `<!date^${unix}^{date_short_pretty} {time}|${fallback}>`;
}

export function mention(userId: string): string {
  return `<@${userId}>`;
}

export function mrkdwn(text: ViewText): string {
  return text.map((p) => (typeof p === 'string' ? escape(p) : 'user' in p ? mention(p.user) : slackTime(p.time))).join('');
}

/** Slack's mrkdwn treats &, < and > as control characters. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
