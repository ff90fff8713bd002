import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Every SQL statement lives in src/store: adapters, jobs, http and the CLI call store methods and
 * never hold SQL text. The check parses each file, so comments and regular expressions are not
 * read, and looks at the contents of string and template literals for upper-case SQL shapes: prose
 * such as "select a runbook" is not SQL.
 */
const ROOT = path.resolve(__dirname, '../..');
const SRC = path.join(ROOT, 'src');
const STORE = path.join(SRC, 'store');
const SQL = /\b(?:SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|pg_notify)\b|\bLISTEN\s+["\w]/;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(full);
    return e.isFile() && e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Each string or template literal of the file with its line; a `${…}` counts as a word. */
function literals(file: string, source: string): Array<{ line: number; text: string }> {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const out: Array<{ line: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    let text: string | null = null;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateExpression(node)) text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' x ');
    if (text !== null) {
      out.push({ line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text });
      if (ts.isTemplateExpression(node)) node.templateSpans.forEach((s) => visit(s.expression));
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** "file:line: text" for every literal outside src/store that holds SQL. */
function sqlOutsideStore(files: string[]): string[] {
  return files
    .filter((f) => f !== STORE && !f.startsWith(STORE + path.sep))
    .flatMap((f) =>
      literals(f, readFileSync(f, 'utf8'))
        .filter((l) => SQL.test(l.text))
        .map((l) => `${path.relative(ROOT, f)}:${l.line}: ${l.text.replace(/\s+/g, ' ').trim().slice(0, 80)}`),
    );
}

describe('SQL location', () => {
  it('finds SQL in strings and templates, not in comments or prose', () => {
    const probe = path.join(SRC, 'probe.ts');
    const found = (source: string) => literals(probe, source).filter((l) => SQL.test(l.text)).length;
    expect(found("pool.query('SELECT 1')")).toBe(1);
    expect(found('const t = "outbox"; q(`UPDATE ${t} SET done_at = now()`);')).toBe(1);
    expect(found('q(`DELETE FROM digests WHERE a = ${x}`);')).toBe(1);
    expect(found('c.query(`LISTEN "${channel}"`);')).toBe(1);
    expect(found('// SELECT * FROM incidents\n/* INSERT INTO x */ const a = 1;')).toBe(0);
    expect(found("say('Select a runbook, then update the status');")).toBe(0);
  });

  it('keeps every SQL statement in src/store', () => {
    expect(sqlOutsideStore(tsFiles(SRC))).toEqual([]);
  });
});
