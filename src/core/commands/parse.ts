import { UserError } from '../errors';
import { checkedText } from '../incident/text-limits';
import { commandFor } from './words';

export type Command =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'status' }
  | { kind: 'ack' }
  | { kind: 'mitigate' }
  | { kind: 'resolve'; summary?: string }
  | { kind: 'cancel'; reason?: string }
  | { kind: 'sev'; severity: number }
  | { kind: 'commander'; userId: string }
  | { kind: 'declare'; runbook: string; summary?: string };

/** Reads a user id out of one word as the surface writes mentions (Slack: <@U123|jane>); null if it is not one. */
export type MentionReader = (word: string) => string | null;

/**
 * Reads the words after the bot's command (`/incident`, `@Incident`, the console's box). The first
 * word is a command, or else a runbook id or alias. Every surface parses through here.
 */
export function parseCommand(text: string, readMention: MentionReader): Command {
  const trimmed = text.trim();
  const [first = '', ...restWords] = trimmed.split(/\s+/);
  const word = first.toLowerCase();
  const rest = trimmed.slice(first.length).trim() || undefined;
  if (word === '') return { kind: 'help' };
  const command = commandFor(word);
  switch (command) {
    case 'help':
    case 'list':
    case 'status':
    case 'ack':
    case 'mitigate':
      return { kind: command };
    case 'resolve':
      return { kind: 'resolve', summary: checkedText(rest, 'summary') ?? undefined };
    case 'cancel':
      return { kind: 'cancel', reason: checkedText(rest, 'reason') ?? undefined };
    case 'sev': {
      const m = /^(?:sev)?([1-4])$/i.exec(restWords[0] ?? '');
      if (restWords.length !== 1 || !m) throw new UserError({ code: 'invalid_input', field: 'severity' });
      return { kind: 'sev', severity: Number(m[1]) };
    }
    case 'commander': {
      const userId = restWords.length === 1 ? readMention(restWords[0]!) : null;
      if (!userId) throw new UserError({ code: 'invalid_input', field: 'commander' });
      return { kind: 'commander', userId };
    }
    case undefined:
      // Keep what was typed, so "did you mean" quotes the user's own spelling back.
      return { kind: 'declare', runbook: first, summary: checkedText(rest, 'summary') ?? undefined };
  }
}
