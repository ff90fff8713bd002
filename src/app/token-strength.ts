import { randomBytes } from 'node:crypto';

/** What a CONSOLE_TOKEN must hold: enough that no offline or online guessing gets anywhere. */
export const MIN_TOKEN_BITS = 128;

const CLASSES: Array<[RegExp, number]> = [
  [/[a-z]/, 26],
  [/[A-Z]/, 26],
  [/[0-9]/, 10],
  [/[^a-zA-Z0-9]/, 33],
];

/**
 * An upper bound of the token's entropy: length × log2 of the alphabet its character classes
 * span. It is generous (a word is far weaker than its letters), so patterns a person types are
 * refused on their own: few distinct characters, or one short unit repeated.
 */
export function tokenBits(token: string): number {
  const alphabet = CLASSES.reduce((n, [re, size]) => (re.test(token) ? n + size : n), 0);
  return alphabet > 0 ? [...token].length * Math.log2(alphabet) : 0;
}

/** The length of the shortest unit the token repeats (`abcabcab` → 3), or its length when none. */
function period(chars: string[]): number {
  for (let p = 1; p <= chars.length / 2; p++) if (chars.every((c, i) => i < p || c === chars[i - p])) return p;
  return chars.length;
}

/** Why the token is too weak, ending with a fresh one to use instead; null when it is fine. */
export function weakTokenProblem(token: string): string | null {
  const chars = [...token];
  const why =
    new Set(chars).size < 8
      ? 'it uses fewer than 8 different characters'
      : period(chars) < chars.length
        ? 'it repeats a shorter string'
        : tokenBits(token) < MIN_TOKEN_BITS
          ? `it holds about ${Math.floor(tokenBits(token))} bits, under ${MIN_TOKEN_BITS} (e.g. 32 hex digits, or 22 random letters and digits)`
          : null;
  // 24 random bytes: 192 bits, in characters that need no quoting in .env or a shell.
  return why ? `CONSOLE_TOKEN is too weak: ${why}. Use a random one, such as this freshly generated token: ${randomBytes(24).toString('base64url')}` : null;
}
