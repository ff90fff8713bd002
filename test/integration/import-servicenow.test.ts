import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/app/commands/program';
import { importFile } from '../../src/imports/run';
import { freshSchema, type TestSchema } from '../support/db';

/** The public event log (see test/fixtures/servicenow/README.md): 119,998 rows of 20,769 incidents. */
const LOG = path.resolve(__dirname, '../fixtures/servicenow/incident_event_log.csv.gz');
const INCIDENTS = 20_769;
const UNRESOLVED = 1_418;

jest.setTimeout(120_000);

describe('incident-bot import servicenow', () => {
  let schema: TestSchema;
  let dir: string;

  beforeAll(async () => {
    schema = await freshSchema();
    dir = mkdtempSync(path.join(tmpdir(), 'import-sn-'));
  });
  afterAll(async () => {
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const counts = async () =>
    (
      await schema.pool.query<{ total: number; unresolved: number; chat: number }>(
        `SELECT count(*)::int AS total,
                count(*) FILTER (WHERE resolved_at IS NULL)::int AS unresolved,
                count(*) FILTER (WHERE platform <> 'import' OR workspace IS NOT NULL OR channel_id IS NOT NULL)::int AS chat
           FROM incidents WHERE imported_from = 'servicenow'`,
      )
    ).rows[0]!;
  const incident = async (number: string) =>
    (await schema.pool.query(`SELECT * FROM incidents WHERE imported_from = 'servicenow' AND external_id = $1`, [number])).rows[0];

  it('imports the last state of every incident of the event log', async () => {
    const lines: string[] = [];
    const s = await importFile(schema.pool, 'servicenow', LOG, { progress: (t) => lines.push(t) });

    expect(s).toMatchObject({ incidents: INCIDENTS, imported: INCIDENTS, updated: 0, unchanged: 0, skipped: [] });
    expect(await counts()).toEqual({ total: INCIDENTS, unresolved: UNRESOLVED, chat: 0 });
    expect(lines.some((l) => l.startsWith('import servicenow: 20,000 lines read'))).toBe(true);

    // INC0000045's four rows: the last (sys_mod_count 4, Closed) wins; dates are d/m/yyyy UTC.
    expect(await incident('INC0000045')).toMatchObject({
      class: 'Category 55',
      playbook_id: 'Category 55',
      title: 'INC0000045',
      severity: 3,
      status: 'resolved',
      declared_by: 'import',
      declared_at: new Date('2016-02-29T01:16:00Z'),
      resolved_at: new Date('2016-02-29T11:29:00Z'),
    });
    // Closed with resolved_at "?": kept, unresolved.
    const open = await schema.pool.query(`SELECT status FROM incidents WHERE imported_from = 'servicenow' AND resolved_at IS NULL LIMIT 1`);
    expect(open.rows[0]).toEqual({ status: 'declared' });
  });

  it('changes nothing when imported again', async () => {
    const s = await importFile(schema.pool, 'servicenow', LOG);

    expect(s).toMatchObject({ imported: 0, updated: 0, unchanged: INCIDENTS, skipped: [] });
    expect((await counts()).total).toBe(INCIDENTS);
    const { rows } = await schema.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE version <> 1`);
    expect(rows[0]).toEqual({ n: 0 });
  });

  describe('the command', () => {
    let out: string[];
    let err: string[];
    const env = process.env.DATABASE_URL;
    beforeEach(() => {
      out = [];
      err = [];
      process.env.DATABASE_URL = schema.url;
      jest.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true));
      jest.spyOn(process.stderr, 'write').mockImplementation((t) => (err.push(String(t)), true));
    });
    afterEach(() => {
      jest.restoreAllMocks();
      process.env.DATABASE_URL = env;
    });

    // A handmade export in the log's columns (only those the import reads, in another order).
    const EXPORT = [
      'number,sys_mod_count,incident_state,opened_at,resolved_at,category,priority,short_description',
      'INCX001,2,Resolved,3/4/2016 10:00,3/4/2016 12:30,Category 55,2 - High,Login fails', // 2
      'INCX001,0,New,3/4/2016 10:00,?,Category 55,3 - Moderate,Login fails', // 3: older, loses
      'INCX002,1,Closed,4/4/2016 09:00,?,?,4 - Low,?', // 4: closed unresolved, no category
      'INCX003,0,New,?,?,Category 9,3 - Moderate,No opening', // 5
      'INCX004,0,New,5/4/2016 09:00,?,Category 9,5 - Planning,Bad priority', // 6
      'INCX005,3,Resolved,6/4/2016 09:00,5/4/2016 09:00,Category 9,1 - Critical,Backwards', // 7
      'INCX006,0,New,31/4/2016 09:00,?,Category 9,1 - Critical,No such day', // 8
      'INCX007,1,Active,7/4/2016 09:00,?,Category 9,1 - Critical,First', // 9
      'INCX007,1,Resolved,7/4/2016 09:00,7/4/2016 10:00,Category 9,1 - Critical,Tie: later line wins', // 10
    ].join('\n');

    it('imports an export, prints the summary with skipped lines and exits 0', async () => {
      const file = path.join(dir, 'export.csv');
      writeFileSync(file, `${EXPORT}\n`);
      // The class map moves a ServiceNow category onto a runbook class (INCX001 below).
      const mapFile = path.join(dir, 'classes.yaml');
      writeFileSync(mapFile, '# ServiceNow category: runbook class\n"Category 55": pdf\n');
      await expect(runCli(['import', 'servicenow', file, '--class-map', mapFile])).resolves.toBe(0);

      const text = out.join('');
      expect(text).toMatch(/^Imported 3, updated 0, unchanged 0, skipped 4 \(servicenow, /);
      expect(text).toContain('  line 5: no opened_at\n');
      expect(text).toContain('  line 6: bad priority "5 - Planning"\n');
      expect(text).toContain('  line 7: resolved before declared\n');
      expect(text).toContain('  line 8: bad opened_at "31/4/2016 09:00"\n');
      expect(await incident('INCX001')).toMatchObject({
        class: 'pdf',
        title: 'Login fails',
        severity: 2,
        status: 'resolved',
        declared_at: new Date('2016-04-03T10:00:00Z'),
        resolved_at: new Date('2016-04-03T12:30:00Z'),
      });
      expect(await incident('INCX002')).toMatchObject({ class: 'uncategorized', title: 'INCX002', status: 'declared', resolved_at: null });
      expect(await incident('INCX007')).toMatchObject({ title: 'Tie: later line wins', status: 'resolved' });
    });

    it('exits 2 for bad usage and an unusable class map, 1 for a file it cannot read', async () => {
      await expect(runCli(['import', 'jira', LOG])).resolves.toBe(2);
      await expect(runCli(['import', 'servicenow'])).resolves.toBe(2);
      await expect(runCli(['import', 'servicenow', LOG, '--class-map'])).resolves.toBe(2);
      const badMap = path.join(dir, 'bad.json');
      writeFileSync(badMap, '{"Category 55": "Not A Class"}');
      await expect(runCli(['import', 'servicenow', LOG, '--class-map', badMap])).resolves.toBe(2);
      await expect(runCli(['import', 'servicenow', path.join(dir, 'missing.csv.gz')])).resolves.toBe(1);
      const truncated = path.join(dir, 'cut.csv.gz');
      writeFileSync(truncated, Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
      await expect(runCli(['import', 'servicenow', truncated])).resolves.toBe(1);
      const csv = path.join(dir, 'ours.csv');
      writeFileSync(csv, 'class,severity,external_id,declared_at,resolved_at\n');
      await expect(runCli(['import', 'servicenow', csv])).resolves.toBe(1);
      expect(err.join('')).toContain('missing.csv.gz');
      expect(err.join('')).toContain('missing column(s) number, sys_mod_count, opened_at, category, priority');
    });
  });
});
