import type { ResolveFormView } from '../../core/render/validation';
import { RESOLUTION_MAX } from '../../core/render/validation';
import { encodeAction, type ActionView } from '../../core/text/actions';
import { fixedText, rich, run, type Element } from './teams-text';

/** Marks the Execute that sends the form, so the bot reads the toggles and the text with it. */
const FORM = 'resolve';
const CHECK_INPUT = /^check-(\d{1,3})$/;

/**
 * The header's Resolve in Teams: a card shown inline with each quick validation check (its text
 * in a RichTextBlock, whose runs are literal, so runbook text never becomes markdown), a toggle
 * per check, the resolution, and the button that sends them on the existing card action path.
 */
export function resolveShowCard(a: ActionView, v: ResolveFormView): Element {
  const body: Element[] = [rich([run(v.heading, { weight: 'Bolder' })]), rich([run(v.intro)])];
  for (const c of v.checks) {
    body.push(rich([run(`${c.number}. `, { weight: 'Bolder' }), run(c.text)], { spacing: 'Medium' }));
    body.push({ type: 'Input.Toggle', id: `check-${c.number}`, title: `Confirmed (check ${c.number})`, value: 'false', valueOn: 'true', valueOff: 'false' });
  }
  if (v.rerun) body.push(rich([run(v.rerun, { isSubtle: true })], { spacing: 'Medium' }));
  body.push(fixedText(v.summaryLabel, { weight: 'Bolder', spacing: 'Medium' }));
  body.push({ type: 'Input.Text', id: 'resolution', isMultiline: true, maxLength: RESOLUTION_MAX, placeholder: v.summaryHint });
  const data = { incidentBot: encodeAction(a.payload), form: FORM };
  const submit = { type: 'Action.Execute', title: v.submit, verb: `incident.${a.payload.a}`, data, style: 'destructive', fallback: { type: 'Action.Submit', title: v.submit, data, style: 'destructive' } };
  return { type: 'Action.ShowCard', title: a.label, style: 'destructive', card: { type: 'AdaptiveCard', body, actions: [submit] } };
}

/**
 * The toggles and resolution a resolve form sent, from an invoke's `action.data` or a fallback
 * submit's value (Teams merges the card's inputs into either). Null when it is not the form.
 */
export function readResolveForm(value: unknown): { confirmed: number[]; summary?: string } | null {
  try {
    const v = value as Record<string, unknown> | null;
    const action = v && typeof v === 'object' && 'action' in v ? (v.action as Record<string, unknown> | null) : null;
    const data = (action ? action.data : v) as Record<string, unknown> | null;
    if (!data || typeof data !== 'object' || data.form !== FORM) return null;
    const confirmed = Object.entries(data)
      .map(([k, on]) => (CHECK_INPUT.exec(k) && on === 'true' ? Number(CHECK_INPUT.exec(k)![1]) : 0))
      .filter((n) => n > 0)
      .sort((x, y) => x - y);
    const summary = typeof data.resolution === 'string' && data.resolution.trim() ? data.resolution : undefined;
    return { confirmed, ...(summary ? { summary } : {}) };
  } catch {
    return null; // a hostile getter; nothing we sent
  }
}
