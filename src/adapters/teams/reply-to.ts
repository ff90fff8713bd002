import type { ReplyTo } from '../../core/ports';

/** Where a Teams request came from, kept in the setup job so setup can answer there. */
export interface TeamsReplyTo {
  conversationId: string;
  /** The team channel it was typed in; null in a chat. */
  channel: string | null;
  tenantId: string | null;
}

export function teamsReplyTo(r: TeamsReplyTo): ReplyTo {
  return { teams: r };
}

export function readTeamsReply(replyTo: ReplyTo | null | undefined): TeamsReplyTo | null {
  const t = replyTo?.teams as Partial<TeamsReplyTo> | undefined;
  if (!t || typeof t.conversationId !== 'string') return null;
  return { conversationId: t.conversationId, channel: typeof t.channel === 'string' ? t.channel : null, tenantId: typeof t.tenantId === 'string' ? t.tenantId : null };
}
