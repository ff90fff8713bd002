import { isOpen, label, type Snapshot } from '../model';
import { allEdgeCases, edgeCaseId, type EdgeCaseRef } from '../runbook/edge-cases';
import { markupOf, markupPlainText, type Markup } from '../runbook/markup';
import type { EdgeCase, Runbook } from '../runbook/schema';
import type { ActionView } from '../text/actions';
import type { Text } from '../text/text';

/**
 * An edge case as the checklist and a step's Details show it: what can go wrong, exactly what to do
 * then, and whether it happened. Until it happens it carries **This happened**, which records it
 * once; after, it says who said so and when, for everyone in the room.
 */
export interface EdgeCaseView {
  /** `2` or `redis-health:1`: what `/incident edge` takes. */
  id: string;
  title: string;
  case: Markup;
  fallback: Markup;
  /** "Happened (by @x at 10:14)", or null while it has not. */
  happened: Text | null;
  /** This happened, while the incident is open and the case has not been recorded. */
  actions: ActionView[];
}

/** A step's own edge cases (`step` its id), or the runbook-level list (`step` null). */
export function edgeCaseViews(s: Snapshot, runbook: Runbook, step: string | null): EdgeCaseView[] {
  const list = step === null ? runbook.edge_cases : (runbook.steps.find((x) => x.id === step)?.edge_cases ?? []);
  return list.map((edge, i) => edgeCaseView(s, { step, n: i + 1 }, edge));
}

function edgeCaseView(s: Snapshot, ref: EdgeCaseRef, edge: EdgeCase): EdgeCaseView {
  const id = edgeCaseId(ref);
  const hit = (s.edgeCasesHit ?? []).find((h) => h.step === ref.step && h.n === ref.n);
  return {
    id,
    title: `Edge case ${id}`,
    case: markupOf(edge.case),
    fallback: markupOf(edge.fallback),
    happened: hit ? ['Happened (by ', { user: hit.by }, ' at ', { time: hit.at }, ')'] : null,
    actions: !hit && isOpen(s.incident) ? [{ label: 'This happened', payload: { a: 'edge', i: s.incident.id, c: id } }] : [],
  };
}

const CASE_MAX = 160;

function oneLine(edge: EdgeCase): string {
  const text = markupPlainText(markupOf(edge.case)).replace(/\s+/g, ' ').trim();
  return text.length > CASE_MAX ? `${text.slice(0, CASE_MAX - 1)}…` : text;
}

/** `/incident edge` alone: every edge case with the id to record it by, and which happened. */
export function edgeCaseListText(s: Snapshot, runbook: Runbook): Text {
  const all = allEdgeCases(runbook);
  const out: Text = [`${label(s.incident)}'s edge cases (${all.length}):`];
  let step: number | null = null;
  for (const { ref, edge, stepNumber } of all) {
    if (stepNumber !== null && stepNumber !== step) out.push(`\nStep ${stepNumber}, ${runbook.steps[stepNumber - 1]!.title}:`);
    step = stepNumber;
    const hit = (s.edgeCasesHit ?? []).find((h) => h.step === ref.step && h.n === ref.n);
    out.push('\n• ', { code: edgeCaseId(ref) }, ` ${oneLine(edge)}`);
    if (hit) out.push(' · happened (by ', { user: hit.by }, ' at ', { time: hit.at }, ')');
  }
  out.push('\nRecord one with ', { command: 'edge <n> [note]' }, ', or its This happened button under the step.');
  return out;
}

/** The answer to `/incident edge <n>`, or to a second This happened. */
export function edgeCaseText(s: Snapshot, ref: EdgeCaseRef, edge: EdgeCase, changed: boolean): Text {
  const name = label(s.incident);
  const id = edgeCaseId(ref);
  if (changed) return [`Recorded edge case ${id} on ${name}: ${oneLine(edge)}\nFallback: ${markupPlainText(markupOf(edge.fallback))}`];
  const hit = (s.edgeCasesHit ?? []).find((h) => h.step === ref.step && h.n === ref.n);
  return hit
    ? [`Edge case ${id} was already recorded on ${name}, by `, { user: hit.by }, ' at ', { time: hit.at }, '.']
    : [`Edge case ${id} was already recorded on ${name}.`];
}

/** The case and its fallback as one piece of runbook text, worded the same on every surface. */
export function edgeCaseMarkup(e: EdgeCaseView): Markup {
  return [
    { type: 'paragraph', lines: [['⚠️ ', { strong: `${e.title}:` }]] },
    ...e.case,
    { type: 'paragraph', lines: [[{ strong: 'Fallback:' }]] },
    ...e.fallback,
  ];
}
