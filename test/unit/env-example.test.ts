import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ENV_VARIABLES } from '../../src/app/config';

const ROOT = path.resolve(__dirname, '../..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

// .env.example is where an operator learns what can be set; it had drifted from the schema (issue 20).
describe('.env.example', () => {
  // Set (NAME=) or shown commented out (# NAME=), as the file does for optional ones.
  const listed = new Set([...read('.env.example').matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));

  it('names every variable src/app/config.ts reads', () => {
    expect(ENV_VARIABLES.length).toBeGreaterThan(40);
    expect(ENV_VARIABLES.filter((v) => !listed.has(v))).toEqual([]);
  });

  it("names nothing src/app/config.ts does not read, besides compose's own variables", () => {
    const known = new Set<string>([...ENV_VARIABLES, 'BOT_ENV_FILE', 'POSTGRES_HOST_PORT', 'REDIS_HOST_PORT', 'BOT_HOST_PORT']);
    expect([...listed].filter((v) => !known.has(v))).toEqual([]);
  });

  it("documents every one of them in the README's Configuration table", () => {
    const readme = read('README.md');
    const missing = ENV_VARIABLES.filter((v) => !new RegExp(`^\\| [^|]*\`${v}\``, 'm').test(readme));
    expect(missing).toEqual([]);
  });
});
