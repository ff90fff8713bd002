/**
 * Rich text without any platform's markup. Each surface formats it its own way: a user becomes
 * <@U1> in Slack and a name in Teams, a command becomes `/incident ack` or `@Incident ack`, and
 * plain strings are escaped for the surface, so user-supplied text can never turn into markup.
 */
export type Span =
  | string
  | { user: string }
  /** A room on the incident's platform (a Slack channel id). */
  | { channel: string }
  /**
   * Shown in each reader's own time zone where the platform can. `relative` adds how long ago (or
   * how far ahead) that is, which the platform keeps current where it can.
   */
  | { time: Date; relative?: boolean }
  /** A bot command without its surface's prefix: `{command: 'sev 2'}`. */
  | { command: string }
  /** Literal, monospace: an id to type exactly. */
  | { code: string }
  | { strong: string }
  | { link: string; title: string };

export type Text = Span[];

/** The text as plain characters, for logs, notification previews and tests. */
export function plainText(text: Text): string {
  return text
    .map((s) => {
      if (typeof s === 'string') return s;
      if ('user' in s) return `@${s.user}`;
      if ('channel' in s) return `#${s.channel}`;
      if ('time' in s) return `${s.time.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
      if ('command' in s) return s.command;
      if ('code' in s) return s.code;
      if ('strong' in s) return s.strong;
      return s.title;
    })
    .join('');
}

/**
 * The first `max` UTF-16 units of `text` (platform limits count those), never half an emoji: a
 * cut between a surrogate pair would leave a lone surrogate, shown as a broken glyph.
 */
export function sliceWhole(text: string, max: number): string {
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
