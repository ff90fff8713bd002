import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { durationMs, runbookSchema, type Runbook } from './schema';
import { RunbookCatalog } from './catalog';
import { findSecrets } from './secrets';
import { parseMarkup } from './markup';

import { commandFor } from '../commands/words';

export interface RunbookProblem {
  file: string;
  /** Dotted field path inside the file, e.g. `steps.2.title`; empty for the whole file. */
  path: string;
  message: string;
}

export function formatProblem(p: RunbookProblem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.message}` : `${p.file}: ${p.message}`;
}

export class RunbookError extends Error {
  constructor(readonly problems: RunbookProblem[]) {
    super(`Runbooks have ${problems.length} problem(s):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'RunbookError';
  }
}

export interface LoadResult {
  runbooks: Runbook[];
  problems: RunbookProblem[];
}

/** Reads every *.yaml in `dir` and reports every problem it finds, not only the first. */
export function checkRunbooks(dir: string): LoadResult {
  const shown = path.relative(process.cwd(), dir) || '.';
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    return { runbooks: [], problems: [{ file: shown, path: '', message: 'cannot read this folder: set PLAYBOOKS_DIR to the folder of runbook YAML files' }] };
  }
  if (names.length === 0) {
    return { runbooks: [], problems: [{ file: shown, path: '', message: 'holds no .yaml runbooks' }] };
  }
  const problems: RunbookProblem[] = [];
  const loaded: Array<{ pb: Runbook; file: string }> = [];
  for (const name of names) {
    const file = path.join(shown, name);
    const fileProblems = (p: string, message: string) => problems.push({ file, path: p, message });
    const doc = parseDocument(readFileSync(path.join(dir, name), 'utf8'), { prettyErrors: true });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) fileProblems('', `YAML syntax: ${e.message.split('\n')[0]}`);
      continue;
    }
    const raw = doc.toJS();
    // Checked before the schema, which could strip an unknown field and hide the leak.
    const secrets = findSecrets(raw);
    for (const [where, what] of secrets) {
      fileProblems(where, `looks like ${what}: keep credentials in the environment (see README, Probes), never in a runbook`);
    }
    if (secrets.length > 0) continue;
    const parsed = runbookSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) fileProblems(issue.path.join('.'), issue.message);
      continue;
    }
    const pb = parsed.data;
    const expectedId = name.replace(/\.ya?ml$/, '');
    if (pb.id !== expectedId) fileProblems('id', `is "${pb.id}" but the file is ${name}: make them equal`);
    checkInternalReferences(pb, fileProblems);
    checkMarkup(pb, fileProblems);
    loaded.push({ pb, file });
  }
  checkNames(loaded, problems);
  return { runbooks: loaded.map((l) => l.pb), problems };
}

function checkInternalReferences(pb: Runbook, report: (path: string, message: string) => void): void {
  const stepIds = new Set<string>();
  pb.steps.forEach((s, i) => {
    if (stepIds.has(s.id)) report(`steps.${i}.id`, `"${s.id}" is used by an earlier step: step ids must be unique`);
    stepIds.add(s.id);
  });
  const probeIds = new Set<string>();
  pb.probes.forEach((p, i) => {
    if (probeIds.has(p.id)) report(`probes.${i}.id`, `"${p.id}" is used by an earlier probe: probe ids must be unique`);
    probeIds.add(p.id);
  });
  pb.steps.forEach((s, i) => {
    if (s.probe && !probeIds.has(s.probe)) {
      report(`steps.${i}.probe`, `names probe "${s.probe}", which is not declared under probes`);
    }
  });
  let previous = -1;
  pb.escalation.forEach((level, i) => {
    const ms = durationMs(level.after);
    if (ms <= previous) report(`escalation.${i}.after`, `${level.after} must be later than the level before it`);
    previous = ms;
  });
}

/** Runbook prose must be the documented subset (docs/runbook-format.md): what a surface cannot show is refused here. */
function checkMarkup(pb: Runbook, report: (path: string, message: string) => void): void {
  const fields: Array<[string, string]> = [
    ...pb.steps.map((s, i): [string, string] => [`steps.${i}.detail`, s.detail]),
    ...pb.edge_cases.flatMap((e, i): Array<[string, string]> => [
      [`edge_cases.${i}.case`, e.case],
      [`edge_cases.${i}.fallback`, e.fallback],
    ]),
  ];
  for (const [where, text] of fields) {
    for (const p of parseMarkup(text).problems) report(where, `line ${p.line}: ${p.message}`);
  }
}

function checkNames(loaded: Array<{ pb: Runbook; file: string }>, problems: RunbookProblem[]): void {
  const owner = new Map<string, string>();
  loaded.forEach(({ pb, file }) => {
    const names: Array<[string, string]> = [['id', pb.id], ...pb.aliases.map((a, j): [string, string] => [`aliases.${j}`, a])];
    for (const [p, n] of names) {
      if (commandFor(n)) {
        problems.push({ file, path: p, message: `"${n}" is one of the bot's command words; pick another name` });
      } else if (owner.has(n) && owner.get(n) !== pb.id) {
        problems.push({ file, path: p, message: `"${n}" already names runbook ${owner.get(n)}; names must be unique` });
      }
      owner.set(n, owner.get(n) ?? pb.id);
    }
  });
}

/** Loads the runbooks for `start`; a broken set stops the bot with the same messages as `playbooks check`. */
export function loadCatalog(dir: string): RunbookCatalog {
  const { runbooks, problems } = checkRunbooks(dir);
  if (problems.length > 0) throw new RunbookError(problems);
  return new RunbookCatalog(runbooks);
}
