/** Longest piece of a field a skip reason repeats; the line number says where the rest is. */
const SHOWN = 80;

/**
 * A field's value as a skip reason quotes it: cut short, and JSON-escaped so that a newline or a
 * terminal escape sequence in someone else's export cannot reshape the summary printed to a terminal.
 */
export function quoted(value: string | undefined): string {
  const v = value ?? '';
  return JSON.stringify(v.length > SHOWN ? `${v.slice(0, SHOWN)}…` : v);
}

/** Free text (a parser's or the database's message) cut to one bounded line. */
export function clipped(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
