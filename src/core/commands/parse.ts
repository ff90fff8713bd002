import { UserError } from '../errors';
import { checkedText } from '../incident/text-limits';
import { commandFor } from './words';

/**
 * `ref` names an incident by number (`INC-7`), for the commands that work from any channel: the
 * ones a declarer needs when the incident's own channel never opened.
 */
export type Command =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'status'; ref?: number }
  | { kind: 'ack' }
  | { kind: 'mitigate' }
  | { kind: 'resolve'; summary?: string; ref?: number }
  | { kind: 'cancel'; reason?: string; ref?: number }
  | { kind: 'retry'; ref?: number }
  | { kind: 'probe'; probe: string }
  | { kind: 'escalate'; reason?: string }
  | { kind: 'diagnosed'; note?: string }
  | { kind: 'mttr'; days: number }
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
  // An incident named right after the command: `resolve INC-7 rolled back`.
  const refMatch = /^INC-(\d{1,12})(?:\s+|$)/i.exec(rest ?? '');
  const ref = refMatch ? Number(refMatch[1]) : undefined;
  const afterRef = refMatch ? rest!.slice(refMatch[0].length).trim() || undefined : rest;
  switch (command) {
    case 'help':
    case 'list':
    case 'ack':
    case 'mitigate':
      return { kind: command };
    case 'status':
    case 'retry':
      return ref === undefined ? { kind: command } : { kind: command, ref };
    case 'probe':
      // `probe` alone runs every check of the runbook, like the header's button.
      return { kind: 'probe', probe: restWords[0]?.toLowerCase() ?? 'all' };
    case 'escalate':
      return { kind: 'escalate', reason: checkedText(rest, 'reason') ?? undefined };
    case 'diagnosed':
      return { kind: 'diagnosed', note: checkedText(rest, 'summary') ?? undefined };
    case 'mttr': {
      const m = /^(7|30|90)d?$/i.exec(restWords[0] ?? '30d');
      if (!m || restWords.length > 1) throw new UserError({ code: 'invalid_input', field: 'window' });
      return { kind: 'mttr', days: Number(m[1]) };
    }
    case 'resolve':
      return { kind: 'resolve', summary: checkedText(afterRef, 'summary') ?? undefined, ...(ref === undefined ? {} : { ref }) };
    case 'cancel':
      return { kind: 'cancel', reason: checkedText(afterRef, 'reason') ?? undefined, ...(ref === undefined ? {} : { ref }) };
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
