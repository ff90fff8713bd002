import path from 'node:path';
import { checkRunbooks, formatProblem } from '../../core/runbook/loader';

/** `incident-bot runbooks check [DIR]`: 0 when every runbook loads, 1 with the problems on stderr. */
export function runbooksCheckCommand(dir?: string): number {
  const folder = path.resolve(dir ?? process.env.PLAYBOOKS_DIR ?? './playbooks');
  const { runbooks, problems, warnings } = checkRunbooks(folder);
  for (const w of warnings) process.stderr.write(`warning: ${formatProblem(w)}\n`);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    process.stderr.write(`\n${problems.length} problem(s) found. Fix them and run the check again.\n`);
    return 1;
  }
  process.stdout.write(`${runbooks.length} runbook(s) OK: ${runbooks.map((p) => p.id).join(', ')}\n`);
  return 0;
}
