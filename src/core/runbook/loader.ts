import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Runbook } from './schema';
import { RunbookCatalog } from './catalog';
import { checkRunbookFile } from './file';
import type { RunbookFileCache } from './file-cache';

import { commandFor } from '../text/words';
import { overlappingRoutes } from './alert-routes';

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
  /**
   * Worth a look, not refused: two runbooks whose alert routes can match the same labels, a step
   * with no edge case of its own.
   */
  warnings: RunbookProblem[];
}

/**
 * Reads every *.yaml in `dir` and reports every problem it finds, not only the first. With a
 * cache, a file is parsed again only when it has changed; the checks across files always run.
 */
export function checkRunbooks(dir: string, cache?: RunbookFileCache): LoadResult {
  const shown = path.relative(process.cwd(), dir) || '.';
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch {
    return {
      runbooks: [],
      problems: [{ file: shown, path: '', message: 'cannot read this folder: set PLAYBOOKS_DIR to the folder of runbook YAML files' }],
      warnings: [],
    };
  }
  if (names.length === 0) {
    return { runbooks: [], problems: [{ file: shown, path: '', message: 'holds no .yaml runbooks' }], warnings: [] };
  }
  const problems: RunbookProblem[] = [];
  const loaded: Array<{ runbook: Runbook; file: string }> = [];
  const fullPaths = names.map((name) => path.join(dir, name));
  cache?.keepOnly(new Set(fullPaths));
  names.forEach((name, i) => {
    const file = path.join(shown, name);
    const checked = cache ? cache.check(fullPaths[i]!, name) : checkRunbookFile(fullPaths[i]!, name);
    for (const p of checked.problems) problems.push({ file, ...p });
    if (checked.runbook) loaded.push({ runbook: checked.runbook, file });
  });
  checkNames(loaded, problems);
  const fileOf = new Map(loaded.map((l) => [l.runbook.id, l.file]));
  const warnings = overlappingRoutes(loaded.map((l) => l.runbook)).map(({ a, ai, b, bi }) => ({
    file: fileOf.get(b)!,
    path: `alerts.${bi}`,
    message: `can match the same alerts as runbook ${a} (alerts.${ai}): its match labels equal or include the other's; ${a} comes first and wins`,
  }));
  return { runbooks: loaded.map((l) => l.runbook), problems, warnings: [...warnings, ...stepsWithoutEdgeCases(loaded)] };
}

/**
 * Every chapter records what can go wrong and what to do then. A step with nothing that can fail
 * (a heads-up, a link) may have none, so this is a warning, never a refusal.
 */
function stepsWithoutEdgeCases(loaded: Array<{ runbook: Runbook; file: string }>): RunbookProblem[] {
  return loaded.flatMap(({ runbook, file }) =>
    runbook.steps.flatMap((s, i) =>
      (s.edge_cases ?? []).length > 0
        ? []
        : [{ file, path: `steps.${i}`, message: `step "${s.id}" has no edge case: add edge_cases (case and fallback) for what can go wrong in it` }],
    ),
  );
}

function checkNames(loaded: Array<{ runbook: Runbook; file: string }>, problems: RunbookProblem[]): void {
  const owner = new Map<string, string>();
  loaded.forEach(({ runbook, file }) => {
    const names: Array<[string, string]> = [['id', runbook.id], ...runbook.aliases.map((a, j): [string, string] => [`aliases.${j}`, a])];
    for (const [p, n] of names) {
      if (commandFor(n)) {
        problems.push({ file, path: p, message: `"${n}" is one of the bot's command words; pick another name` });
      } else if (owner.has(n) && owner.get(n) !== runbook.id) {
        problems.push({ file, path: p, message: `"${n}" already names runbook ${owner.get(n)}; names must be unique` });
      }
      owner.set(n, owner.get(n) ?? runbook.id);
    }
  });
}

/** Loads the runbooks for `start`; a broken set stops the bot with the same messages as `runbooks check`. */
export function loadCatalog(dir: string): RunbookCatalog {
  const { runbooks, problems } = checkRunbooks(dir);
  if (problems.length > 0) throw new RunbookError(problems);
  return new RunbookCatalog(runbooks);
}
