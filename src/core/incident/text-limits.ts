import { UserError } from '../errors';

/**
 * The longest summary, resolution or reason a person may type. It is shown in headers, lists and
 * channel topics, where a page of text would bury everything else; a longer one is refused, not cut.
 */
export const MAX_TEXT = 500;

/**
 * A part of a post-mortem's analysis is a few paragraphs, not a line: it is shown in the export and
 * the edit form, never in a header or a topic, so it may be longer; still capped, and refused past it.
 */
export const MAX_ANALYSIS_TEXT = 3000;

export type AnalysisTextField = 'impact' | 'root cause' | 'contributing factors' | 'what went well' | 'what went badly' | 'lessons';
type Field = 'summary' | 'reason' | 'action item' | 'note' | AnalysisTextField;

// Bidi embeddings, overrides, isolates and marks: one U+202E turns the rest of a header or topic
// around, so a summary could show other people a different text than the one recorded.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
// What shows nothing on its own: spaces, format characters (zero-width ones, joiners, BOM) and
// invisible fillers (Hangul, Braille blank).
const INVISIBLE = /^(?:[\s\p{Cf}\u115F\u1160\u3164\uFFA0\u2800]|\u034F)*$/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Characters as a person counts them: an emoji with its modifiers or a flag is one. */
export function visibleLength(text: string): number {
  let n = 0;
  for (const _ of graphemes.segment(text)) n++;
  return n;
}

/**
 * Trimmed text without bidi controls, null when empty; refuses text that shows nothing (only
 * zero-width or format characters) and text longer than MAX_TEXT characters, saying how long it was.
 */
export function checkedText(text: string | undefined, field: Field, max = MAX_TEXT): string | null {
  const cleaned = text?.replace(BIDI_CONTROLS, '').trim() || null;
  if (!cleaned) return null;
  if (INVISIBLE.test(cleaned)) throw new UserError({ code: 'invisible_text', field });
  const length = visibleLength(cleaned);
  if (length > max) throw new UserError({ code: 'too_long', field, max, length });
  return cleaned;
}

/**
 * Text someone else wrote, taken as it is (a message pinned to the timeline): no one is there to
 * be refused, so bidi controls go, text that shows nothing is null, and anything longer than
 * MAX_TEXT is cut with an ellipsis; the link kept beside it leads to the whole message.
 */
export function clippedText(text: string | undefined): string | null {
  const cleaned = text?.replace(BIDI_CONTROLS, '').trim() || null;
  if (!cleaned || INVISIBLE.test(cleaned)) return null;
  if (visibleLength(cleaned) <= MAX_TEXT) return cleaned;
  let out = '';
  let n = 0;
  for (const { segment } of graphemes.segment(cleaned)) {
    if (++n >= MAX_TEXT) break;
    out += segment;
  }
  return `${out.trimEnd()}…`;
}
