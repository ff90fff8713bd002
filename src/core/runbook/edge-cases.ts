import { EDGE_CASE_ID } from '../text/actions';
import type { EdgeCase, Runbook } from './schema';

/**
 * Which edge case: the runbook-level list's `n` (step null), or step `step`'s own `n`, both counted
 * from 1. Written `3` or `redis-health:1`: in buttons, in `/incident edge`, and in the event's key.
 * A step id is a slug (no colon), so the two forms never collide, and a runbook-level id is the
 * bare number older incidents were keyed with.
 */
export interface EdgeCaseRef {
  step: string | null;
  n: number;
}

export function edgeCaseId(ref: EdgeCaseRef): string {
  return ref.step ? `${ref.step}:${ref.n}` : String(ref.n);
}

export function parseEdgeCaseId(text: string): EdgeCaseRef | null {
  const m = EDGE_CASE_ID.exec(text.trim().toLowerCase());
  return m ? { step: m[1] ?? null, n: Number(m[2]) } : null;
}

/** The ref an `edge_case.hit` event recorded: `{case: n}`, plus `step` for a step's own. */
export function edgeCaseRefOf(data: Record<string, unknown>): EdgeCaseRef | null {
  const n = typeof data.case === 'number' ? data.case : Number(data.case);
  if (!Number.isInteger(n) || n < 1) return null;
  return { step: typeof data.step === 'string' ? data.step : null, n };
}

/** Null when the runbook (as loaded now) has no such case. */
export function edgeCaseOf(runbook: Runbook, ref: EdgeCaseRef): EdgeCase | null {
  const list = ref.step === null ? runbook.edge_cases : runbook.steps.find((s) => s.id === ref.step)?.edge_cases;
  return list?.[ref.n - 1] ?? null;
}

/** Every edge case of the runbook, the runbook-level ones first, then each step's in step order. */
export function allEdgeCases(runbook: Runbook): Array<{ ref: EdgeCaseRef; edge: EdgeCase; stepNumber: number | null }> {
  return [
    ...runbook.edge_cases.map((edge, i) => ({ ref: { step: null, n: i + 1 }, edge, stepNumber: null })),
    ...runbook.steps.flatMap((s, si) => (s.edge_cases ?? []).map((edge, i) => ({ ref: { step: s.id, n: i + 1 }, edge, stepNumber: si + 1 }))),
  ];
}
