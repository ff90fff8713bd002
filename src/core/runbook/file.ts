import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { parseDocument } from 'yaml';
import { parseMarkup } from './markup';
import { durationMs, runbookSchema, type Runbook } from './schema';
import { findSecrets } from './secrets';

/** The four shipped runbooks are 5–10 KB; anything near this is a mistake, and a 150 MB one ran `check` out of memory. */
export const MAX_RUNBOOK_BYTES = 256 * 1024;

export interface FileProblem {
  /** Dotted field path inside the file, e.g. `steps.2.title`; empty for the whole file. */
  path: string;
  message: string;
}

export interface FileCheck {
  runbook: Runbook | null;
  problems: FileProblem[];
  /** What was read, so a cache can tell whether the file has changed since. */
  stat: Pick<Stats, 'mtimeMs' | 'size'> | null;
}

/** One runbook file on its own: everything `runbooks check` says that does not need the other files. */
export function checkRunbookFile(fullPath: string, name: string): FileCheck {
  const problems: FileProblem[] = [];
  const report = (p: string, message: string) => problems.push({ path: p, message });
  const read = readBounded(fullPath);
  if ('problem' in read) return { runbook: null, problems: [{ path: '', message: read.problem }], stat: read.stat };
  const doc = parseDocument(read.text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) report('', `YAML syntax: ${e.message.split('\n')[0]}`);
    return { runbook: null, problems, stat: read.stat };
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // yaml refuses an alias bomb ("Excessive alias count …") here, by throwing: it must name the file like any other problem.
    return { runbook: null, problems: [{ path: '', message: `YAML refused: ${(err as Error).message.split('\n')[0]}` }], stat: read.stat };
  }
  // Checked before the schema, which could strip an unknown field and hide the leak.
  const secrets = findSecrets(raw);
  for (const [where, what] of secrets) {
    report(where, `looks like ${what}: keep credentials in the environment (see README, Probes), never in a runbook`);
  }
  if (secrets.length > 0) return { runbook: null, problems, stat: read.stat };
  const parsed = runbookSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) report(issue.path.join('.'), issue.message);
    return { runbook: null, problems, stat: read.stat };
  }
  const runbook = parsed.data;
  const expectedId = name.replace(/\.ya?ml$/, '');
  if (runbook.id !== expectedId) report('id', `is "${runbook.id}" but the file is ${name}: make them equal`);
  checkInternalReferences(runbook, report);
  checkMarkup(runbook, report);
  return { runbook, problems, stat: read.stat };
}

type Read = { text: string; stat: Stats } | { problem: string; stat: Stats | null };

/** Sized by fstat before reading, and never read past the cap even if the file grows meanwhile. */
function readBounded(fullPath: string): Read {
  let fd: number;
  try {
    fd = openSync(fullPath, 'r');
  } catch (err) {
    return { problem: `cannot read this file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, stat: null };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { problem: 'is not a regular file', stat };
    const tooBig = { problem: `is larger than ${MAX_RUNBOOK_BYTES / 1024} KB, the most a runbook may be: split it or trim it`, stat };
    if (stat.size > MAX_RUNBOOK_BYTES) return tooBig;
    const buf = Buffer.alloc(MAX_RUNBOOK_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buf.length; length += n) n = readSync(fd, buf, length, buf.length - length, null);
    if (length > MAX_RUNBOOK_BYTES) return tooBig;
    return { text: buf.toString('utf8', 0, length), stat };
  } finally {
    closeSync(fd);
  }
}

function checkInternalReferences(runbook: Runbook, report: (path: string, message: string) => void): void {
  const stepIds = new Set<string>();
  runbook.steps.forEach((s, i) => {
    if (stepIds.has(s.id)) report(`steps.${i}.id`, `"${s.id}" is used by an earlier step: step ids must be unique`);
    stepIds.add(s.id);
  });
  const probeIds = new Set<string>();
  runbook.probes.forEach((p, i) => {
    if (probeIds.has(p.id)) report(`probes.${i}.id`, `"${p.id}" is used by an earlier probe: probe ids must be unique`);
    probeIds.add(p.id);
  });
  runbook.steps.forEach((s, i) => {
    if (s.probe && !probeIds.has(s.probe)) {
      report(`steps.${i}.probe`, `names probe "${s.probe}", which is not declared under probes`);
    }
  });
  runbook.quick_validation.forEach((q, i) => {
    if (typeof q === 'string') return;
    q.probes.forEach((probe, j) => {
      if (!probeIds.has(probe)) report(`quick_validation.${i}.probes.${j}`, `names probe "${probe}", which is not declared under probes`);
    });
  });
  let previous = -1;
  runbook.escalation.forEach((level, i) => {
    const ms = durationMs(level.after);
    if (ms <= previous) report(`escalation.${i}.after`, `${level.after} must be later than the level before it`);
    previous = ms;
  });
  if (runbook.severity > runbook.page_at_severity && runbook.escalation.length < 2) {
    report(
      'page_at_severity',
      `SEV${runbook.severity} incidents skip level 1 (page_at_severity ${runbook.page_at_severity}) and there is no level 2: nobody would be paged; add a level or raise page_at_severity`,
    );
  }
}

/** Runbook prose must be the documented subset (docs/runbook-format.md): what a surface cannot show is refused here. */
function checkMarkup(runbook: Runbook, report: (path: string, message: string) => void): void {
  const fields: Array<[string, string]> = [
    ...runbook.steps.flatMap((s, i): Array<[string, string]> => [
      [`steps.${i}.detail`, s.detail],
      ...(s.edge_cases ?? []).flatMap((e, j): Array<[string, string]> => [
        [`steps.${i}.edge_cases.${j}.case`, e.case],
        [`steps.${i}.edge_cases.${j}.fallback`, e.fallback],
      ]),
    ]),
    ...runbook.edge_cases.flatMap((e, i): Array<[string, string]> => [
      [`edge_cases.${i}.case`, e.case],
      [`edge_cases.${i}.fallback`, e.fallback],
    ]),
  ];
  for (const [where, text] of fields) {
    for (const p of parseMarkup(text).problems) report(where, `line ${p.line}: ${p.message}`);
  }
}
