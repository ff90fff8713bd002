import { z } from 'zod';

/**
 * What a button asks for, carried in the button itself (Slack's value, an Adaptive Card's data).
 * A click carries the state it wants, so a double click or a replay asks for the same thing.
 * One encoder for every surface, so a payload written by one release is read by the next.
 */
/**
 * An edge case: `3` in the runbook-level list, `redis-health:1` the first of step redis-health's own
 * (a step id is a slug, so it holds no colon). core/runbook/edge-cases.ts reads it.
 */
export const EDGE_CASE_ID = /^(?:([a-z0-9][a-z0-9-]{0,39}):)?([1-9]\d{0,2})$/;

export const actionPayload = z.discriminatedUnion('a', [
  z.object({ a: z.literal('ack'), i: z.uuid() }),
  z.object({ a: z.literal('resolve'), i: z.uuid() }),
  /** Page the next level of the on-call ladder now. */
  z.object({ a: z.literal('escalate'), i: z.uuid() }),
  /** The cause is found: record the diagnosed milestone. */
  z.object({ a: z.literal('diagnosed'), i: z.uuid() }),
  /** `g`: the checklist generation the button was drawn for, after a switch of runbook (absent: the first). */
  z.object({ a: z.literal('step'), i: z.uuid(), s: z.string().min(1).max(100), to: z.enum(['done', 'open']), g: z.number().int().min(2).optional() }),
  /** Switch the incident to runbook `r` (the header's menu). */
  z.object({ a: z.literal('runbook'), i: z.uuid(), r: z.string().min(1).max(100) }),
  /** Run one probe, or 'all'. */
  z.object({ a: z.literal('probe'), i: z.uuid(), p: z.string().min(1).max(100) }),
  /** Close action item `n` of the incident. */
  z.object({ a: z.literal('item'), i: z.uuid(), n: z.number().int().positive() }),
  /** Move the incident's post-mortem on: to review, or published. */
  z.object({ a: z.literal('pm'), i: z.uuid(), to: z.enum(['in_review', 'published']) }),
  /** Edit the post-mortem's analysis: opens its form where the surface has one. */
  z.object({ a: z.literal('analysis'), i: z.uuid() }),
  /** Edge case `c` (an EDGE_CASE_ID) happened. */
  z.object({ a: z.literal('edge'), i: z.uuid(), c: z.string().regex(EDGE_CASE_ID) }),
]);

export type ActionPayload = z.infer<typeof actionPayload>;

export function encodeAction(p: ActionPayload): string {
  return JSON.stringify(p);
}

/** Null for anything that is not a payload this release understands (an old or forged button). */
export function decodeAction(value: string | undefined | null): ActionPayload | null {
  if (!value) return null;
  try {
    const parsed = actionPayload.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A button as the views offer it: what it says, how it looks, what it asks for. */
export interface ActionView {
  label: string;
  style?: 'primary' | 'danger';
  /** Asked before the action runs, for what cannot be undone with one more click. */
  confirm?: { title: string; text: string; ok: string; cancel: string };
  payload: ActionPayload;
}
