import { UserError } from '../errors';
import { checkedText } from '../incident/text-limits';
import { parseTypedTime, type TypedTime } from '../incident/impact-start';
import { GENERAL_RUNBOOK_ID } from '../runbook/catalog';
import { parseEdgeCaseId } from '../runbook/edge-cases';
import { searchQuery } from '../search';
import { commandFor } from '../text/words';
import { ANALYSIS_FIELDS, type AnalysisField } from '../model';
import { ANALYSIS_WORDS } from '../incident/analysis';

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
  /** `validated`: `--validated` was typed, confirming every quick validation check. */
  | { kind: 'resolve'; summary?: string; ref?: number; validated?: true }
  | { kind: 'cancel'; reason?: string; ref?: number }
  | { kind: 'retry'; ref?: number }
  | { kind: 'probe'; probe: string }
  | { kind: 'escalate'; reason?: string }
  | { kind: 'diagnosed'; note?: string }
  | { kind: 'mttr'; days: number }
  | { kind: 'sev'; severity: number }
  | { kind: 'commander'; userId: string }
  | { kind: 'postmortem'; to?: 'in_review' | 'published'; ref?: number }
  /** No field: say what the analysis is missing. The text is checked by the use case, as a form's is. */
  | { kind: 'analysis'; field?: AnalysisField; text?: string; ref?: number }
  | { kind: 'action_add'; text: string; owner: string | null; dueOn: string | null; ref?: number }
  | { kind: 'action_list'; ref?: number }
  | { kind: 'action_done'; number: number; ref?: number }
  /** No number: list the edge cases. `step`: `number` is that step's own (`edge redis-health:1`). */
  | { kind: 'edge'; number?: number; step?: string; note?: string }
  | { kind: 'class'; name: string }
  | { kind: 'duplicate'; of: number }
  | { kind: 'link'; with: number }
  | { kind: 'runbook'; runbook: string; reason?: string }
  /** Adds what was typed to the incident's timeline. */
  | { kind: 'note'; text: string }
  /** Past incidents matching the words (summaries, causes, resolutions, notes, post-mortems). */
  | { kind: 'search'; query: string }
  /** When impact began: `started 02:40` (the reader's zone, else the team's) or an ISO instant with its offset. */
  | { kind: 'started'; time: TypedTime }
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
    case 'resolve': {
      // `resolve [INC-n] --validated [summary]`: the resolver confirms every quick validation check.
      const flag = /^--validated(?:\s+|$)/i.exec(afterRef ?? '');
      const summary = flag ? afterRef!.slice(flag[0].length).trim() || undefined : afterRef;
      return {
        kind: 'resolve',
        summary: checkedText(summary, 'summary') ?? undefined,
        ...(ref === undefined ? {} : { ref }),
        ...(flag ? { validated: true as const } : {}),
      };
    }
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
    case 'postmortem': {
      const sub = afterRef?.toLowerCase();
      const to = sub === undefined ? undefined : sub === 'review' ? 'in_review' : sub === 'publish' ? 'published' : null;
      if (to === null) throw new UserError({ code: 'invalid_input', field: 'action' });
      return { kind: 'postmortem', ...(to ? { to } : {}), ...(ref === undefined ? {} : { ref }) };
    }
    case 'analysis':
      return parseAnalysis(afterRef, ref);
    case 'action':
      return parseAction(rest ?? '', readMention);
    case 'runbook': {
      // `runbook storage-permissions app gets 403 from storage`: the runbook, then why.
      const runbook = restWords[0];
      if (!runbook) throw new UserError({ code: 'invalid_input', field: 'runbook' });
      const reason = checkedText(rest!.slice(runbook.length).trim() || undefined, 'reason') ?? undefined;
      return { kind: 'runbook', runbook, ...(reason ? { reason } : {}) };
    }
    case 'edge': {
      const word = restWords[0];
      if (word === undefined) return { kind: 'edge' };
      // A bare number is the runbook-level list's, as it always was; `step:n` is a step's own.
      const stepCase = parseEdgeCaseId(word);
      const which = /^\d{1,3}$/.test(word) ? { number: Number(word) } : stepCase?.step ? { step: stepCase.step, number: stepCase.n } : null;
      if (!which) throw new UserError({ code: 'invalid_input', field: 'edge_case' });
      const note = checkedText(rest!.slice(word.length).trim() || undefined, 'summary') ?? undefined;
      return { kind: 'edge', ...which, ...(note ? { note } : {}) };
    }
    case 'search':
      // The whole rest as typed: INC-like words and quotes are words to look for.
      return { kind: 'search', query: searchQuery(rest) };
    case 'note': {
      // The whole rest as typed, INC-like words included: a note is evidence, not a command.
      const text = checkedText(rest, 'note');
      if (!text) throw new UserError({ code: 'invalid_input', field: 'note' });
      return { kind: 'note', text };
    }
    case 'started': {
      const time = parseTypedTime(rest ?? '');
      if (!time) throw new UserError({ code: 'invalid_input', field: 'impact_start' });
      return { kind: 'started', time };
    }
    case 'declare':
      // Anything the specific runbooks do not cover: the general runbook's triage.
      return { kind: 'declare', runbook: GENERAL_RUNBOOK_ID, summary: checkedText(rest, 'summary') ?? undefined };
    case 'class': {
      if (restWords.length !== 1) throw new UserError({ code: 'invalid_input', field: 'class' });
      return { kind: 'class', name: restWords[0]!.toLowerCase() };
    }
    case 'duplicate':
    case 'link': {
      // Only the other incident: `duplicate INC-7`, `link INC-12`.
      if (ref === undefined || afterRef !== undefined) throw new UserError({ code: 'invalid_input', field: command });
      return command === 'duplicate' ? { kind: 'duplicate', of: ref } : { kind: 'link', with: ref };
    }
    case undefined:
      // Keep what was typed, so "did you mean" quotes the user's own spelling back.
      return { kind: 'declare', runbook: first, summary: checkedText(rest, 'summary') ?? undefined };
  }
}

// The part's word as the help names it, with dashes or underscores, and a few longer spellings.
const ANALYSIS_WORD = new Map<string, AnalysisField>([
  ...ANALYSIS_FIELDS.map((f) => [ANALYSIS_WORDS[f], f] as const),
  ['impact_summary', 'impactSummary'],
  ['cause', 'rootCause'],
  ['cause_category', 'causeCategory'],
  ['contributing_factors', 'contributingFactors'],
  ['well', 'wentWell'],
  ['badly', 'wentBadly'],
]);

/** `analysis [INC-n]` shows what is missing; `analysis [INC-n] <part> <text>` writes one part. */
function parseAnalysis(rest: string | undefined, ref: number | undefined): Command {
  const refOnly = ref === undefined ? {} : { ref };
  if (rest === undefined) return { kind: 'analysis', ...refOnly };
  const word = rest.split(/\s+/)[0]!;
  const field = ANALYSIS_WORD.get(word.toLowerCase().replace(/-/g, '_'));
  const text = rest.slice(word.length).trim();
  if (!field || text === '') throw new UserError({ code: 'invalid_input', field: 'analysis' });
  return { kind: 'analysis', field, text, ...refOnly };
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `add <text> [@owner] [due YYYY-MM-DD]`, `list`, `done <n>`; each may name the incident first: `done INC-7 2`. */
function parseAction(rest: string, readMention: MentionReader): Command {
  const [sub = '', ...words] = rest.split(/\s+/).filter(Boolean);
  const refWord = /^INC-(\d{1,12})$/i.exec(words[0] ?? '');
  const ref = refWord ? { ref: Number(refWord[1]) } : {};
  if (refWord) words.shift();
  switch (sub.toLowerCase()) {
    case 'list':
      if (words.length > 0) break;
      return { kind: 'action_list', ...ref };
    case 'done':
    case 'close': {
      const n = /^#?(\d{1,6})$/.exec(words[0] ?? '');
      if (!n || words.length !== 1) break;
      return { kind: 'action_done', number: Number(n[1]), ...ref };
    }
    case 'add': {
      let dueOn: string | null = null;
      if (words.length >= 2 && words[words.length - 2]!.toLowerCase() === 'due') {
        dueOn = calendarDay(words[words.length - 1]!);
        words.splice(-2);
      }
      const owner = words.length > 1 ? readMention(words[words.length - 1]!) : null;
      if (owner) words.pop();
      const text = checkedText(words.join(' '), 'action item');
      if (!text) break;
      return { kind: 'action_add', text, owner, dueOn, ...ref };
    }
  }
  throw new UserError({ code: 'invalid_input', field: 'action' });
}

/** A real calendar day written YYYY-MM-DD, or a refusal saying how to write one. */
function calendarDay(word: string): string {
  const m = DAY.exec(word);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || d.toISOString().slice(0, 10) !== word) throw new UserError({ code: 'invalid_input', field: 'due' });
  return word;
}
