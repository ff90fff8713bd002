import { decodeAction, encodeAction, type ActionPayload, type ActionView } from '../../core/text/actions';
import type { Text } from '../../core/text/text';
import { clipChars, rich, run, type Element } from './teams-text';

/** Marks the Execute that sends the pick, so the bot reads the chosen runbook with it. */
const FORM = 'runbook';
/** The choice set's id: Teams merges the picked value into the action's data under it. */
const PICK = 'runbook';
const VERB = 'incident.runbook';
const CHOICE_TITLE_MAX = 150;

/**
 * The header's Switch runbook in Teams, like Slack's menu and the console's form: a card shown
 * inline with a choice per other runbook, whose value is the same `runbook` payload those surfaces
 * send, and the button that sends the pick on the card's usual action path. Showing it is the
 * confirmation Slack asks for.
 */
export function switchRunbookShowCard(choices: readonly ActionView[]): Element {
  const body: Element[] = [
    rich([run('Switch this incident to another runbook', { weight: 'Bolder' })]),
    rich([run('It keeps its thread, clock and timeline; the new checklist is posted and the old one stays, read-only.')]),
    {
      type: 'Input.ChoiceSet',
      id: PICK,
      label: 'Runbook',
      style: 'compact',
      isRequired: true,
      errorMessage: 'Pick a runbook.',
      placeholder: 'Pick a runbook',
      // Choice titles are plain text in Teams: runbook titles never become markdown.
      choices: choices.map((c) => ({ title: clipChars(c.label, CHOICE_TITLE_MAX), value: encodeAction(c.payload) })),
    },
  ];
  const data = { form: FORM };
  const submit = { type: 'Action.Execute', title: 'Switch', verb: VERB, data, fallback: { type: 'Action.Submit', title: 'Switch', data } };
  return { type: 'Action.ShowCard', title: 'Switch runbook', card: { type: 'AdaptiveCard', body, actions: [submit] } };
}

/** Said when the form came without a runbook picked (a client that skipped the required check). */
export const NO_RUNBOOK_PICKED: Text = ['Pick a runbook to switch to. Nothing changed.'];

/**
 * What a Switch runbook form sent, from an invoke's `action` or a fallback submit's value (Teams
 * merges the choice into either's data): `{ payload }` with the picked runbook's payload, or
 * `{ payload: null }` when nothing readable was picked. Null when it is not the form.
 */
export function readRunbookPick(value: unknown): { payload: Extract<ActionPayload, { a: 'runbook' }> | null } | null {
  try {
    const v = value as Record<string, unknown> | null;
    const action = v && typeof v === 'object' && 'action' in v ? (v.action as Record<string, unknown> | null) : null;
    if (action && (typeof action !== 'object' || action.type !== 'Action.Execute' || action.verb !== VERB)) return null;
    const data = (action ? action.data : v) as Record<string, unknown> | null;
    if (!data || typeof data !== 'object' || data.form !== FORM) return null;
    const p = typeof data[PICK] === 'string' ? decodeAction(data[PICK]) : null;
    return { payload: p?.a === 'runbook' ? p : null };
  } catch {
    return null; // a hostile getter; nothing we sent
  }
}
