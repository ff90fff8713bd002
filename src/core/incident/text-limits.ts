import { UserError } from '../errors';

/**
 * The longest summary, resolution or reason a person may type. It is shown in headers, lists and
 * channel topics, where a page of text would bury everything else; a longer one is refused, not cut.
 */
export const MAX_TEXT = 500;

/** Trimmed text, null when empty; refuses text longer than MAX_TEXT, saying how long it was. */
export function checkedText(text: string | undefined, field: 'summary' | 'reason' | 'action item'): string | null {
  const trimmed = text?.trim() || null;
  if (trimmed && trimmed.length > MAX_TEXT) throw new UserError({ code: 'too_long', field, max: MAX_TEXT, length: trimmed.length });
  return trimmed;
}
