import { ANALYSIS_FIELDS, type AnalysisField } from '../../core/model';
import type { AnalysisFormView } from '../../core/render/analysis';
import { encodeAction, type ActionView } from '../../core/text/actions';
import { rich, run, type Element } from './teams-text';

/** Marks the Execute that sends the form, so the bot reads the inputs with it. */
const FORM = 'analysis';

/**
 * The follow-up card's Edit analysis in Teams: shown inline, one Input.Text per part, prefilled
 * (an input's value is never rendered as markdown), and the button that sends them on the card
 * action path. Labels are our own words; the intro quotes the title in a literal TextRun.
 */
export function analysisShowCard(a: ActionView, v: AnalysisFormView): Element {
  const body: Element[] = [rich([run(v.intro)])];
  for (const f of v.fields) {
    body.push({
      type: 'Input.Text',
      id: f.field,
      label: f.label,
      isMultiline: f.multiline,
      maxLength: f.max,
      placeholder: f.hint,
      ...(f.value ? { value: f.value } : {}),
    });
  }
  const data = { incidentBot: encodeAction(a.payload), form: FORM };
  const submit = { type: 'Action.Execute', title: v.submit, verb: `incident.${a.payload.a}`, data, fallback: { type: 'Action.Submit', title: v.submit, data } };
  return { type: 'Action.ShowCard', title: a.label, card: { type: 'AdaptiveCard', body, actions: [submit] } };
}

/**
 * The parts an analysis form sent, from an invoke's `action.data` or a fallback submit's value
 * (Teams merges the card's inputs into either); an emptied input clears its part. Null when it is
 * not the form.
 */
export function readAnalysisForm(value: unknown): Partial<Record<AnalysisField, string | null>> | null {
  try {
    const v = value as Record<string, unknown> | null;
    const action = v && typeof v === 'object' && 'action' in v ? (v.action as Record<string, unknown> | null) : null;
    const data = (action ? action.data : v) as Record<string, unknown> | null;
    if (!data || typeof data !== 'object' || data.form !== FORM) return null;
    const out: Partial<Record<AnalysisField, string | null>> = {};
    for (const f of ANALYSIS_FIELDS) {
      const typed = data[f];
      if (typeof typed === 'string') out[f] = typed.trim() || null;
    }
    return out;
  } catch {
    return null; // a hostile getter; nothing we sent
  }
}
