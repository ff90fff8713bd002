import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { checkRunbooks, formatProblem, loadCatalog, RunbookError, type RunbookProblem } from '../../src/core/runbook/loader';
import { validationChecks } from '../../src/core/runbook/schema';

const ROOT = path.resolve(__dirname, '../..');
const SHIPPED = path.join(ROOT, 'playbooks');
const SHIPPED_IDS = ['general', 'pdf-404', 'queue-failure', 'storage-permissions', 'workflow-500'];

function runCli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/app/cli.ts', ...args], {
    cwd: ROOT,
    env: process.env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the shipped runbooks', () => {
  const { runbooks, problems } = checkRunbooks(SHIPPED);

  it('pass the check with no problems', () => {
    expect(problems.map(formatProblem)).toEqual([]);
    expect(runbooks.map((p) => p.id)).toEqual(SHIPPED_IDS);
  });

  describe.each(SHIPPED_IDS)('%s', (id) => {
    const runbook = () => runbooks.find((p) => p.id === id)!;

    it('probes GET /api/v1/me as the standard (non-admin) user', () => {
      expect(runbook().probes).toContainEqual(expect.objectContaining({ kind: 'http', path: '/api/v1/me', as: 'standard-user', expect_status: 200 }));
    });

    it('records at least one edge case with its fallback', () => {
      expect(runbook().edge_cases.length).toBeGreaterThanOrEqual(1);
      for (const e of runbook().edge_cases) expect(e.fallback.trim()).not.toBe('');
    });

    it('names the /api/v1/me probe on its quick validation check, so resolving runs it again', () => {
      const me = validationChecks(runbook()).find((c) => c.text.startsWith('/api/v1/me'));
      expect(me?.probes).toEqual(['me-standard-user']);
    });

    it('gives every step an edge case of its own, each with a fallback', () => {
      for (const step of runbook().steps) {
        // The step's id in the failure says which one lacks them.
        expect([step.id, (step.edge_cases ?? []).length > 0]).toEqual([step.id, true]);
        for (const e of step.edge_cases ?? []) expect(e.fallback.trim()).not.toBe('');
      }
    });

    it('has exactly one step that marks the incident diagnosed', () => {
      expect(runbook().steps.filter((s) => s.marks === 'diagnosed')).toHaveLength(1);
    });

    it('pages the rotation as a SEV1 or SEV2 is declared (first level after 0m, page_at_severity 2)', () => {
      expect(runbook().escalation[0]!.after).toBe('0m');
      expect(runbook().page_at_severity).toBe(2);
    });
  });

  it('hand an incident over to another runbook by switching it, never by declaring a second incident', () => {
    const ids = new Set(runbooks.flatMap((r) => [r.id, ...r.aliases]));
    for (const r of runbooks) {
      const text = readFileSync(path.join(SHIPPED, `${r.id}.yaml`), 'utf8');
      // `/incident storage` would declare a second, unlinked incident with its own channel and clock.
      const declares = [...text.matchAll(/`\/incident ([a-z0-9-]+)/g)].map((m) => m[1]!).filter((word) => ids.has(word));
      expect({ runbook: r.id, declares }).toEqual({ runbook: r.id, declares: [] });
    }
    const switches = runbooks.flatMap((r) => r.steps.flatMap((st) => [...(st.detail ?? '').matchAll(/`\/incident runbook ([a-z0-9-]+)/g)].map((m) => m[1]!)));
    expect(switches.sort()).toEqual(['queue-failure', 'storage-permissions', 'storage-permissions']);
    for (const id of switches) expect(runbooks.map((r) => r.id)).toContain(id);
  });
});

describe('broken runbooks', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'incident-bot-runbooks-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const shippedText = (id: string) => readFileSync(path.join(SHIPPED, `${id}.yaml`), 'utf8');

  /** Writes `files` into a fresh folder under the temp dir and returns the folder. */
  function folder(name: string, files: Record<string, string>): string {
    const dir = path.join(base, name);
    mkdirSync(dir);
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
    return dir;
  }

  /** A shipped runbook with one edit applied through the YAML document model. */
  function edited(id: string, edit: (doc: ReturnType<typeof parseDocument>) => void): string {
    const doc = parseDocument(shippedText(id));
    edit(doc);
    return doc.toString();
  }

  /** How the check names a file: relative to the working directory, as an operator typed it. */
  const shown = (dir: string, file: string) => path.join(path.relative(process.cwd(), dir), file);

  function onlyProblem(dir: string): RunbookProblem {
    const { problems } = checkRunbooks(dir);
    expect(problems).toHaveLength(1);
    return problems[0]!;
  }

  it('reports a step without a title by file and dotted field path', () => {
    const dir = folder('missing-title', { 'pdf-404.yaml': edited('pdf-404', (d) => d.deleteIn(['steps', 2, 'title'])) });
    expect(onlyProblem(dir)).toEqual({ file: shown(dir, 'pdf-404.yaml'), path: 'steps.2.title', message: expect.any(String) });
  });

  it('refuses an http probe path that names another host (// or /\\), naming the file and the probe', () => {
    for (const [name, bad] of [
      ['double-slash', '//localhost:47031/x'],
      ['slash-backslash', '/\\localhost:47031/x'],
    ] as const) {
      const dir = folder(`probe-path-${name}`, { 'pdf-404.yaml': edited('pdf-404', (d) => d.setIn(['probes', 1, 'path'], bad)) });
      const p = onlyProblem(dir);
      expect(p).toEqual({ file: shown(dir, 'pdf-404.yaml'), path: 'probes.1.path', message: expect.stringContaining('http probe "smoke-invoice-pdf"') });
      expect(p.message).toContain('must be a path on the BraiFlow API');
      expect(formatProblem(p)).toContain(`${shown(dir, 'pdf-404.yaml')}: probes.1.path: http probe "smoke-invoice-pdf": path ${JSON.stringify(bad)}`);
    }
  });

  it('refuses an http probe timeout outside 1s to 5m, saying the allowed range', () => {
    for (const timeout of ['0s', '999999h', '301s']) {
      const dir = folder(`probe-timeout-${timeout}`, { 'pdf-404.yaml': edited('pdf-404', (d) => d.setIn(['probes', 0, 'timeout'], timeout)) });
      expect(onlyProblem(dir)).toEqual({
        file: shown(dir, 'pdf-404.yaml'),
        path: 'probes.0.timeout',
        message: `http probe "me-standard-user": timeout ${timeout} is out of range: write one from 1s to 5m`,
      });
    }
    const edges = folder('probe-timeout-edges', {
      'pdf-404.yaml': edited('pdf-404', (d) => {
        d.setIn(['probes', 0, 'timeout'], '1s');
        d.setIn(['probes', 1, 'timeout'], '5m');
      }),
    });
    expect(checkRunbooks(edges).problems).toEqual([]);
  });

  it('refuses an alert route regex that does not compile, naming the route', () => {
    const dir = folder('alert-bad-regex', { 'pdf-404.yaml': edited('pdf-404', (d) => d.setIn(['alerts', 1, 'match_re', 'alertname'], 'Pdf(.*')) });
    const p = onlyProblem(dir);
    expect(p).toEqual({
      file: shown(dir, 'pdf-404.yaml'),
      path: 'alerts.1.match_re.alertname',
      message: expect.stringContaining('"Pdf(.*" is not a valid regex'),
    });
  });

  it('warns, without refusing, when two runbooks route the same alert labels (equal or subset match sets)', () => {
    const dir = folder('alert-overlap', {
      'pdf-404.yaml': shippedText('pdf-404'),
      'workflow-500.yaml': edited('workflow-500', (d) => d.setIn(['alerts', 0, 'match'], { alertname: 'InvoicePdf404Rate', env: 'prod' })),
    });
    const { problems, warnings } = checkRunbooks(dir);
    expect(problems).toEqual([]);
    expect(warnings).toEqual([
      { file: shown(dir, 'workflow-500.yaml'), path: 'alerts.0', message: expect.stringContaining('can match the same alerts as runbook pdf-404 (alerts.0)') },
    ]);
    expect(checkRunbooks(SHIPPED).warnings).toEqual([]);
  });

  it('reports a runbook whose id differs from its file name, and says to make them equal', () => {
    const dir = folder('id-mismatch', { 'pdf-405.yaml': shippedText('pdf-404') });
    const p = onlyProblem(dir);
    expect(p).toEqual({ file: shown(dir, 'pdf-405.yaml'), path: 'id', message: expect.stringContaining('make them equal') });
    expect(p.message).toContain('pdf-404');
  });

  it('reports a step naming a probe that is not declared', () => {
    const dir = folder('undeclared-probe', {
      'queue-failure.yaml': edited('queue-failure', (d) => d.setIn(['steps', 3, 'probe'], 'redis-ping')),
    });
    const p = onlyProblem(dir);
    expect(p).toEqual({ file: shown(dir, 'queue-failure.yaml'), path: 'steps.3.probe', message: expect.stringContaining('"redis-ping"') });
    expect(p.message).toMatch(/not declared under probes/);
  });

  it('reports a quick validation check naming a probe that is not declared, and keeps plain-text checks valid', () => {
    const dir = folder('undeclared-validation-probe', {
      'queue-failure.yaml': edited('queue-failure', (d) => {
        d.setIn(['quick_validation', 0, 'probes', 0], 'redis-ping');
        d.setIn(['quick_validation', 1], 'pdf-render queue is back to normal');
      }),
    });
    const p = onlyProblem(dir);
    expect(p).toEqual({
      file: shown(dir, 'queue-failure.yaml'),
      path: 'quick_validation.0.probes.0',
      message: 'names probe "redis-ping", which is not declared under probes',
    });
  });

  it('reports escalation levels that do not come later than the level before', () => {
    const dir = folder('escalation-order', {
      'workflow-500.yaml': edited('workflow-500', (d) => d.setIn(['escalation', 2, 'after'], '10m')),
    });
    expect(onlyProblem(dir)).toEqual({
      file: shown(dir, 'workflow-500.yaml'),
      path: 'escalation.2.after',
      message: expect.stringContaining('must be later than the level before it'),
    });
  });

  it('reports a runbook whose default severity skips level 1 with no level 2 to page', () => {
    const dir = folder('page-at-severity', {
      'pdf-404.yaml': edited('pdf-404', (d) => {
        d.set('severity', 3);
        d.deleteIn(['escalation', 2]);
        d.deleteIn(['escalation', 1]);
      }),
    });
    expect(onlyProblem(dir)).toEqual({
      file: shown(dir, 'pdf-404.yaml'),
      path: 'page_at_severity',
      message: expect.stringContaining('nobody would be paged'),
    });
  });

  it("reports an alias that is one of the bot's command words", () => {
    const dir = folder('reserved-alias', {
      'storage-permissions.yaml': edited('storage-permissions', (d) => d.addIn(['aliases'], 'status')),
    });
    expect(onlyProblem(dir)).toEqual({
      file: shown(dir, 'storage-permissions.yaml'),
      path: 'aliases.3',
      message: expect.stringContaining('"status" is one of the bot\'s command words'),
    });
  });

  it('reports every word /incident reads as a command, including acknowledge and severity', () => {
    const dir = folder('reserved-synonym', {
      'queue-failure.yaml': edited('queue-failure', (d) => d.addIn(['aliases'], 'severity')),
    });
    expect(onlyProblem(dir)).toEqual(
      expect.objectContaining({ path: 'aliases.3', message: expect.stringContaining('"severity" is one of the bot\'s command words') }),
    );
  });

  it('blames the right file when an earlier file in the folder does not parse', () => {
    const dir = folder('blame', {
      'a-broken.yaml': 'id: [unclosed\n',
      'pdf-404.yaml': edited('pdf-404', (d) => d.addIn(['aliases'], 'status')),
    });
    const { problems } = checkRunbooks(dir);
    expect(problems).toContainEqual(expect.objectContaining({ file: shown(dir, 'pdf-404.yaml'), path: 'aliases.3' }));
    expect(problems.filter((p) => p.file === shown(dir, 'a-broken.yaml')).every((p) => p.path === '')).toBe(true);
  });

  it('reports an alias already used by another runbook in the folder', () => {
    const dir = folder('alias-clash', {
      'pdf-404.yaml': shippedText('pdf-404'),
      'queue-failure.yaml': edited('queue-failure', (d) => d.addIn(['aliases'], 'pdf')),
    });
    expect(onlyProblem(dir)).toEqual({
      file: shown(dir, 'queue-failure.yaml'),
      path: 'aliases.3',
      message: expect.stringContaining('already names runbook pdf-404'),
    });
  });

  it('reports invalid YAML as a syntax problem of the whole file', () => {
    const dir = folder('bad-yaml', { 'pdf-404.yaml': `${shippedText('pdf-404')}\nsteps: [unclosed\n` });
    const { problems, runbooks } = checkRunbooks(dir);
    expect(runbooks).toEqual([]);
    expect(problems.length).toBeGreaterThanOrEqual(1);
    for (const p of problems) {
      expect(p).toEqual({ file: shown(dir, 'pdf-404.yaml'), path: '', message: expect.stringMatching(/^YAML syntax: /) });
      expect(formatProblem(p)).toBe(`${shown(dir, 'pdf-404.yaml')}: ${p.message}`);
    }
  });

  describe('runbook text outside the supported markup (docs/runbook-format.md)', () => {
    it('refuses a command indented in a step detail, naming the field and the line, and says to fence it', () => {
      const dir = folder('markup-indented', {
        'pdf-404.yaml': edited('pdf-404', (d) => d.setIn(['steps', 3, 'detail'], 'Logs query:\n  {app="documents-api"} |= "status=404"\n')),
      });
      const p = onlyProblem(dir);
      expect(p).toEqual({
        file: shown(dir, 'pdf-404.yaml'),
        path: 'steps.3.detail',
        message: expect.stringMatching(/^line 2: indented lines are not supported: put commands in a fenced code block/),
      });
      expect(formatProblem(p)).toBe(`${shown(dir, 'pdf-404.yaml')}: steps.3.detail: ${p.message}`);
    });

    it("takes a step's own edge cases, and checks their text like the rest", () => {
      const dir = folder('markup-step-edge-cases', {
        'queue-failure.yaml': edited('queue-failure', (d) => {
          d.setIn(['steps', 2, 'edge_cases'], [{ case: 'The toolbox is gone.', fallback: '1. restart it' }]);
        }),
      });
      expect(checkRunbooks(dir).problems).toEqual([
        {
          file: shown(dir, 'queue-failure.yaml'),
          path: 'steps.2.edge_cases.0.fallback',
          message: expect.stringMatching(/^line 1: numbered lists are not supported/),
        },
      ]);

      const ok = folder('step-edge-cases', {
        'queue-failure.yaml': edited('queue-failure', (d) => d.setIn(['steps', 2, 'edge_cases'], [{ case: 'The toolbox is gone.', fallback: 'Restart it.' }])),
      });
      expect(checkRunbooks(ok).problems).toEqual([]);
      expect(checkRunbooks(ok).runbooks[0]!.steps[2]!.edge_cases).toEqual([{ case: 'The toolbox is gone.', fallback: 'Restart it.' }]);
    });

    it('refuses a step edge case without its fallback', () => {
      const dir = folder('step-edge-case-no-fallback', {
        'pdf-404.yaml': edited('pdf-404', (d) => d.setIn(['steps', 0, 'edge_cases'], [{ case: 'The probe errors.' }])),
      });
      expect(onlyProblem(dir)).toMatchObject({ file: shown(dir, 'pdf-404.yaml'), path: 'steps.0.edge_cases.0.fallback' });
    });

    it('checks edge cases too: a heading in a case and HTML in a fallback', () => {
      const dir = folder('markup-edge-cases', {
        'queue-failure.yaml': edited('queue-failure', (d) => {
          d.setIn(['edge_cases', 0, 'case'], '# Redis evicted keys');
          d.setIn(['edge_cases', 1, 'fallback'], 'Scale up.\nThen <b>post</b> an ETA.');
        }),
      });
      expect(checkRunbooks(dir).problems).toEqual([
        { file: shown(dir, 'queue-failure.yaml'), path: 'edge_cases.0.case', message: expect.stringMatching(/^line 1: headings are not supported/) },
        {
          file: shown(dir, 'queue-failure.yaml'),
          path: 'edge_cases.1.fallback',
          message: expect.stringMatching(/^line 2: HTML tags such as <b> are not supported/),
        },
        {
          file: shown(dir, 'queue-failure.yaml'),
          path: 'edge_cases.1.fallback',
          message: expect.stringMatching(/^line 2: HTML tags such as <\/b> are not supported/),
        },
      ]);
    });

    it('stops `start` like any other problem: the runbook is not loaded', () => {
      const dir = folder('markup-unclosed-fence', {
        'workflow-500.yaml': edited('workflow-500', (d) =>
          d.setIn(['steps', 6, 'detail'], 'Roll back:\n```bash\nkubectl -n braiflow-prod rollout undo deployment/workflow-api\n'),
        ),
      });
      expect(onlyProblem(dir)).toEqual(
        expect.objectContaining({ path: 'steps.6.detail', message: expect.stringMatching(/^line 2: this code block is never closed/) }),
      );
      expect(() => loadCatalog(dir)).toThrow(RunbookError);
    });
  });

  it('refuses a runbook over 256 KB without parsing it, and `runbooks check` names the file and the cap', () => {
    const padding = `# ${'x'.repeat(200)}\n`.repeat(1400);
    const dir = folder('oversized', { 'pdf-404.yaml': `${shippedText('pdf-404')}\n${padding}`, 'queue-failure.yaml': shippedText('queue-failure') });
    const message = 'is larger than 256 KB, the most a runbook may be: split it or trim it';
    expect(checkRunbooks(dir)).toEqual({
      runbooks: [expect.objectContaining({ id: 'queue-failure' })],
      problems: [{ file: shown(dir, 'pdf-404.yaml'), path: '', message }],
      warnings: [],
    });

    const r = runCli('runbooks', 'check', dir);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`${shown(dir, 'pdf-404.yaml')}: ${message}`);
  });

  it('refuses a YAML alias bomb as a problem of its file, not a crash', () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
      const prev = String.fromCharCode(97 + i);
      laughs.push(`${name}: &${name} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    }
    const dir = folder('alias-bomb', { 'pdf-404.yaml': `${laughs.join('\n')}\n`, 'queue-failure.yaml': shippedText('queue-failure') });
    const { problems, runbooks } = checkRunbooks(dir);
    expect(runbooks.map((r) => r.id)).toEqual(['queue-failure']);
    expect(problems).toEqual([{ file: shown(dir, 'pdf-404.yaml'), path: '', message: expect.stringMatching(/^YAML refused: .*alias/i) }]);
  });

  it('reports a folder with no runbooks instead of starting with an empty catalog', () => {
    const dir = folder('empty', { 'README.md': '# nothing here' });
    expect(onlyProblem(dir)).toEqual({ file: shown(dir, ''), path: '', message: 'holds no .yaml runbooks' });
  });

  describe('a folder with several broken runbooks', () => {
    let dir: string;
    let expected: string[];

    beforeAll(() => {
      dir = folder('several', {
        'pdf-404.yaml': edited('pdf-404', (d) => d.deleteIn(['steps', 2, 'title'])),
        'queue-failure.yaml': edited('queue-failure', (d) => {
          d.setIn(['steps', 3, 'probe'], 'redis-ping');
          d.setIn(['escalation', 1, 'after'], '0m');
        }),
      });
      expected = [
        `${shown(dir, 'pdf-404.yaml')}: steps.2.title: `,
        `${shown(dir, 'queue-failure.yaml')}: steps.3.probe: names probe "redis-ping", which is not declared under probes`,
        `${shown(dir, 'queue-failure.yaml')}: escalation.1.after: 0m must be later than the level before it`,
      ];
    });

    it('are all reported by one check, not only the first', () => {
      const lines = checkRunbooks(dir).problems.map(formatProblem);
      expect(lines).toHaveLength(3);
      expected.forEach((start, i) => expect(lines[i]!.startsWith(start)).toBe(true));
    });

    it('stop `start`: loadCatalog throws RunbookError with the same lines `runbooks check` prints', () => {
      let err: unknown;
      try {
        loadCatalog(dir);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RunbookError);
      const e = err as RunbookError;
      expect(e.message).toMatch(/^Runbooks have 3 problem\(s\):/);
      for (const line of checkRunbooks(dir).problems.map(formatProblem)) expect(e.message).toContain(`  ${line}`);
    });

    it('make `incident-bot runbooks check <dir>` exit 1 with one `<file>: <path>: <message>` line each', () => {
      const r = runCli('runbooks', 'check', dir);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n').filter(Boolean);
      expect(lines).toEqual([...checkRunbooks(dir).problems.map(formatProblem), '3 problem(s) found. Fix them and run the check again.']);
      expected.forEach((start, i) => expect(lines[i]!.startsWith(start)).toBe(true));
    });
  });
});

describe('incident-bot runbooks check', () => {
  // `playbooks check` is the command's first name (the folder keeps it); both must keep working.
  it.each(['runbooks', 'playbooks'])('as `%s check`, exits 0 and lists the runbooks for the shipped folder', (command) => {
    const r = runCli(command, 'check', 'playbooks');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${SHIPPED_IDS.length} runbook(s) OK: ${SHIPPED_IDS.join(', ')}\n`);
  });

  it('warns, without failing, for each step that has no edge case of its own', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'incident-bot-step-edges-'));
    try {
      const doc = parseDocument(readFileSync(path.join(SHIPPED, 'pdf-404.yaml'), 'utf8'));
      doc.deleteIn(['steps', 1, 'edge_cases']);
      doc.deleteIn(['steps', 8, 'edge_cases']);
      writeFileSync(path.join(dir, 'pdf-404.yaml'), doc.toString());
      const { problems, warnings } = checkRunbooks(dir);
      const file = path.join(path.relative(process.cwd(), dir), 'pdf-404.yaml');
      expect(problems).toEqual([]);
      expect(warnings).toEqual([
        { file, path: 'steps.1', message: 'step "smoke-invoice-pdf" has no edge case: add edge_cases (case and fallback) for what can go wrong in it' },
        { file, path: 'steps.8', message: 'step "ui-validation" has no edge case: add edge_cases (case and fallback) for what can go wrong in it' },
      ]);

      const r = runCli('runbooks', 'check', dir);
      expect(r.status).toBe(0);
      expect(r.stderr.trim().split('\n')).toEqual(warnings.map((w) => `warning: ${formatProblem(w)}`));
      expect(r.stdout).toBe('1 runbook(s) OK: pdf-404\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads the shipped folder into a catalog without complaint', () => {
    expect(loadCatalog(SHIPPED).ids()).toEqual(SHIPPED_IDS);
  });
});
