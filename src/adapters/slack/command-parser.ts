import { commandFor } from '../../core/incident/command-words';
import { UserError } from '../../core/errors';

export type SlashCommand =
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

/** Reads the text after `/incident`. The first word is a command or else a runbook id or alias. */
export function parseCommand(text: string): SlashCommand {
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
      return { kind: 'resolve', summary: rest };
    case 'cancel':
      return { kind: 'cancel', reason: rest };
    case 'sev': {
      const m = /^(?:sev)?([1-4])$/i.exec(restWords[0] ?? '');
      if (restWords.length !== 1 || !m) {
        throw new UserError('invalid_input', 'Severity is a number from 1 (worst) to 4. Try `/incident sev 2`.');
      }
      return { kind: 'sev', severity: Number(m[1]) };
    }
    case 'commander': {
      // With "Escape channels, users, and links" on (the manifest sets it), a mention arrives as <@U123|name>.
      const m = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(restWords[0] ?? '');
      if (!m || restWords.length !== 1) {
        throw new UserError(
          'invalid_input',
          'Name the new commander with an @mention, picked from Slack\'s suggestions: `/incident commander @jane`.',
        );
      }
      return { kind: 'commander', userId: m[1]! };
    }
    case undefined:
      // Keep what was typed, so "did you mean" quotes the user's own spelling back.
      return { kind: 'declare', runbook: first, summary: rest };
  }
}
