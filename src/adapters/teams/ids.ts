/**
 * A channel thread's conversation id is the channel's id and the root message's id:
 * `19:abc@thread.tacv2;messageid=1700000000000`. A chat's id has no `;messageid=`.
 */
export function threadParts(conversationId: string): { channel: string; messageId: string | null } {
  const m = /^(.*);messageid=(\d+)$/.exec(conversationId);
  return m ? { channel: m[1]!, messageId: m[2]! } : { channel: conversationId, messageId: null };
}

/** A link that opens the thread in Teams (web or desktop); null for chats, which have no public link. */
export function threadLink(conversationId: string, tenantId: string | null): string | null {
  const { channel, messageId } = threadParts(conversationId);
  if (!messageId || !channel.startsWith('19:')) return null;
  const tenant = tenantId ? `&tenantId=${encodeURIComponent(tenantId)}` : '';
  return `https://teams.microsoft.com/l/message/${encodeURIComponent(channel)}/${messageId}?parentMessageId=${messageId}${tenant}`;
}
