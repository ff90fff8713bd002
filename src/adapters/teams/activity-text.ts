import type { Activity } from 'botbuilder';

export interface MentionedPerson {
  /** The 29:… id Teams puts in mention entities. */
  teamsId: string;
  name: string;
}

/**
 * The command in a message: the bot's own mention taken out, the optional leading word
 * `incident` dropped (people type `@Incident incident pdf-404 …`), and every other mention
 * replaced by one token word, since a name may hold spaces and parsing splits on them.
 */
export function commandText(activity: Partial<Activity>): { text: string; mentions: Map<string, MentionedPerson> } {
  let text = activity.text ?? '';
  const mentions = new Map<string, MentionedPerson>();
  const botId = activity.recipient?.id;
  for (const entity of activity.entities ?? []) {
    if (entity.type !== 'mention') continue;
    const mentioned = entity.mentioned as { id?: string; name?: string } | undefined;
    const shown = typeof entity.text === 'string' ? entity.text : null;
    if (!mentioned?.id || !shown) continue;
    if (mentioned.id === botId) {
      text = text.split(shown).join(' ');
      continue;
    }
    const token = `@@mention${mentions.size + 1}`;
    mentions.set(token, { teamsId: mentioned.id, name: mentioned.name ?? shown.replace(/<\/?at>/g, '') });
    text = text.split(shown).join(` ${token} `);
  }
  // What a client's HTML left: &nbsp; between words, a stray <at> of a mention without an entity.
  text = text.replace(/&nbsp;|\u00a0/g, ' ').replace(/<\/?at>/g, '').trim();
  text = text.replace(/^incident(\s+|$)/i, '');
  return { text: text.replace(/\s+/g, ' ').trim(), mentions };
}
