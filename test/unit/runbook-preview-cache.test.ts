import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { consoleReads } from '../../src/adapters/console/reads';
import type { ConsoleMessages } from '../../src/store/console-messages';
import type { CoreDeps } from '../../src/core/incident/deps';
import { RunbookFileCache } from '../../src/core/runbook/file-cache';
import { checkRunbooks } from '../../src/core/runbook/loader';
import type { ConsoleIncidentReads } from '../../src/store/console-reads';

const SHIPPED = path.resolve(__dirname, '../../playbooks');

describe('the runbook preview reads a file again only when it changes', () => {
  let dir: string;
  const file = () => path.join(dir, 'pdf-404.yaml');
  const rewrite = (from: string, to: string, mtime: Date) => {
    writeFileSync(file(), readFileSync(file(), 'utf8').replace(from, to));
    utimesSync(file(), mtime, mtime);
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'runbook-cache-'));
    copyFileSync(path.join(SHIPPED, 'pdf-404.yaml'), file());
    utimesSync(file(), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses once across repeated checks, and again once the file is rewritten with a new mtime', () => {
    const cache = new RunbookFileCache();
    for (let i = 0; i < 5; i++) expect(checkRunbooks(dir, cache).problems).toEqual([]);
    expect(cache.parses).toBe(1);

    rewrite('title: Generated PDFs', 'title: Rewritten PDFs', new Date('2026-01-02T00:00:00Z'));
    expect(checkRunbooks(dir, cache).runbooks[0]!.title).toMatch(/^Rewritten PDFs/);
    expect(checkRunbooks(dir, cache).runbooks[0]!.title).toMatch(/^Rewritten PDFs/);
    expect(cache.parses).toBe(2);
  });

  it('shows the edit, and the problems it brings, on the next preview', () => {
    const deps = { clock: { now: () => new Date('2026-01-03T00:00:00Z') }, catalog: { all: [] } } as unknown as CoreDeps;
    const reads = consoleReads({} as ConsoleIncidentReads, deps, {} as ConsoleMessages, dir, () => null);
    expect(reads.runbook('pdf-404')).toMatchObject({ problems: [], runbook: { title: expect.stringMatching(/^Generated PDFs/) } });

    rewrite('id: pdf-404', 'id: pdf-405', new Date('2026-01-04T00:00:00Z'));
    expect(reads.runbook('pdf-404').problems).toEqual([expect.stringContaining('id: is "pdf-405" but the file is pdf-404.yaml: make them equal')]);
  });
});
