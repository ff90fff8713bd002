import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadClassMap } from '../../src/imports/class-map';
import { runCli } from '../../src/app/commands/program';
import { importFile } from '../../src/imports/run';
import { formatSummary } from '../../src/imports/summary';
import { ImportFileError } from '../../src/imports/types';
import { freshSchema, type TestSchema } from '../support/db';

const HEADER = 'class,severity,title,external_id,declared_at,acknowledged_at,diagnosed_at,resolved_at';

/** Line numbers are the file's: the header is line 1, and a quoted title over two lines takes 8 and 9. */
const LINES = [
  HEADER,
  'pdf,2,Invoices return 404,CSV-1,2026-01-05T10:00:00Z,2026-01-05T10:03:00Z,2026-01-05T10:10:00Z,2026-01-05T10:40:00Z',
  'queue,1,"Queue stuck, retries pile up",CSV-2,2026-01-06T08:00:00+01:00,,,',
  'Workflow errors,3,,CSV-3,2026-01-07 09:00:00,2026-01-07T09:05:00Z,,2026-01-07T11:00:00.5Z',
  'pdf,2,bad date,CSV-4,2026-02-30T10:00:00Z,,,',
  'pdf,2,backwards,CSV-5,2026-01-08T10:00:00Z,,,2026-01-08T09:00:00Z',
  ',2,no class,CSV-6,2026-01-09T10:00:00Z,,,',
  'storage,4,"two-line',
  'title",CSV-7,2026-01-10T10:00:00Z,2026-01-10T10:01:00Z,,',
  'pdf,2,too,many,CSV-8,2026-01-10T10:00:00Z,,,',
  'pdf,7,bad severity,CSV-9,2026-01-10T10:00:00Z,,,',
  'pdf,2,again,CSV-1,2026-01-05T10:00:00Z,,,',
  'storage,4,ack first,CSV-10,2026-01-11T10:00:00Z,2026-01-11T09:00:00Z,,',
  'pdf,3,no declared,CSV-11,,,,',
  'queue,2,last good one,CSV-12,2026-01-12T10:00:00Z,,,2026-01-12T10:30:00Z',
];

const EXPECTED_SKIPS = [
  { line: 5, reason: 'bad declared_at "2026-02-30T10:00:00Z"' },
  { line: 6, reason: 'resolved before declared' },
  { line: 7, reason: 'no class' },
  { line: 10, reason: 'wrong number of fields' },
  { line: 11, reason: 'bad severity "7"' },
  { line: 12, reason: 'duplicate external_id "CSV-1" (first on line 2)' },
  { line: 13, reason: 'acknowledged before declared' },
  { line: 14, reason: 'no declared_at' },
];

interface Row {
  external_id: string;
  class: string;
  playbook_id: string;
  title: string;
  severity: number;
  status: string;
  platform: string;
  workspace: string | null;
  declared_by: string;
  imported_from: string;
  declared_at: Date;
  acknowledged_at: Date | null;
  diagnosed_at: Date | null;
  resolved_at: Date | null;
}

describe('incident-bot import csv', () => {
  let schema: TestSchema;
  let dir: string;

  beforeAll(async () => {
    schema = await freshSchema();
    dir = mkdtempSync(path.join(tmpdir(), 'import-csv-'));
  });
  afterAll(async () => {
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, content: string | Buffer) => {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const rows = async () => (await schema.pool.query<Row>(`SELECT * FROM incidents WHERE imported_from = 'csv' ORDER BY external_id`)).rows;
  const byId = async (id: string) => (await rows()).find((r) => r.external_id === id)!;

  it('imports the good rows and skips each bad line with its number and reason', async () => {
    const classMap = await loadClassMap(file('map.json', JSON.stringify({ 'Workflow errors': 'workflow' })));
    const s = await importFile(schema.pool, 'csv', file('history.csv', `${LINES.join('\n')}\n`), { classMap });

    expect(s).toMatchObject({ imported: 5, updated: 0, unchanged: 0 });
    expect(s.skipped).toEqual(EXPECTED_SKIPS);
    expect((await rows()).map((r) => r.external_id)).toEqual(['CSV-1', 'CSV-12', 'CSV-2', 'CSV-3', 'CSV-7']);

    expect(await byId('CSV-1')).toMatchObject({
      class: 'pdf',
      playbook_id: 'pdf',
      title: 'Invoices return 404',
      severity: 2,
      status: 'resolved',
      platform: 'import',
      workspace: null,
      declared_by: 'import',
      declared_at: new Date('2026-01-05T10:00:00Z'),
      acknowledged_at: new Date('2026-01-05T10:03:00Z'),
      diagnosed_at: new Date('2026-01-05T10:10:00Z'),
      resolved_at: new Date('2026-01-05T10:40:00Z'),
    });
    expect(await byId('CSV-2')).toMatchObject({ status: 'declared', declared_at: new Date('2026-01-06T07:00:00Z'), resolved_at: null });
    // Mapped class; no title falls back to the id; no offset means UTC.
    expect(await byId('CSV-3')).toMatchObject({ class: 'workflow', title: 'CSV-3', declared_at: new Date('2026-01-07T09:00:00Z') });
    expect(await byId('CSV-7')).toMatchObject({ title: 'two-line\ntitle', status: 'acknowledged' });
  });

  it('changes nothing when the same file comes again, gzipped under another name', async () => {
    const before = await schema.pool.query('SELECT id, version FROM incidents ORDER BY id');
    const classMap = await loadClassMap(file('map.yaml', '"Workflow errors": workflow\n'));
    const s = await importFile(schema.pool, 'csv', file('history.bin', gzipSync(`${LINES.join('\n')}\n`)), { classMap });

    expect(s).toMatchObject({ imported: 0, updated: 0, unchanged: 5 });
    expect(s.skipped).toEqual(EXPECTED_SKIPS);
    expect((await schema.pool.query('SELECT id, version FROM incidents ORDER BY id')).rows).toEqual(before.rows);
  });

  it('updates a row whose fields changed and leaves the others alone', async () => {
    const edited = [
      HEADER,
      'queue,1,"Queue stuck, retries pile up",CSV-2,2026-01-06T08:00:00+01:00,2026-01-06T07:05:00Z,,2026-01-06T09:00:00Z',
      'pdf,2,Invoices return 404,CSV-1,2026-01-05T10:00:00Z,2026-01-05T10:03:00Z,2026-01-05T10:10:00Z,2026-01-05T10:40:00Z',
    ];
    const s = await importFile(schema.pool, 'csv', file('edited.csv', edited.join('\r\n')));

    expect(s).toMatchObject({ imported: 0, updated: 1, unchanged: 1, skipped: [] });
    expect(await byId('CSV-2')).toMatchObject({
      status: 'resolved',
      acknowledged_at: new Date('2026-01-06T07:05:00Z'),
      resolved_at: new Date('2026-01-06T09:00:00Z'),
    });
    expect((await rows()).length).toBe(5);
  });

  it('counts lines as a spreadsheet does, CRLF inside quotes included', async () => {
    const crlf = [
      HEADER,
      'pdf,2,"first\r\nsecond\r\nthird",CSV-20,2026-03-01T10:00:00Z,,,',
      'pdf,2,after,CSV-21,2026-03-01T09:00:00Z,,,2026-03-01T08:00:00Z',
      'pdf,2,short',
    ];
    const s = await importFile(schema.pool, 'csv', file('crlf.csv', `${crlf.join('\r\n')}\r\n`));

    expect(s.imported).toBe(1);
    expect(s.skipped).toEqual([
      { line: 5, reason: 'resolved before declared' },
      { line: 6, reason: 'wrong number of fields' },
    ]);
  });

  it('skips a class that is not a runbook class, and quotes any bad value clipped', async () => {
    const long = 'x'.repeat(5000);
    const lines = [
      HEADER,
      'Payments Gateway,2,not a slug,CSV-30,2026-04-01T10:00:00Z,,,',
      `pdf,2,long bad date,CSV-31,${long},,,`,
      `${'a'.repeat(65)},2,class too long,CSV-32,2026-04-01T10:00:00Z,,,`,
      'pdf,"2\u001b[31m",escape in severity,CSV-33,2026-04-01T10:00:00Z,,,',
      'db,3,a good one,CSV-34,2026-04-01T10:00:00Z,,,',
    ];
    const s = await importFile(schema.pool, 'csv', file('bad-values.csv', `${lines.join('\n')}\n`));

    expect(s.imported).toBe(1);
    expect(s.skipped).toEqual([
      { line: 2, reason: 'bad class "Payments Gateway" (lowercase letters, digits and -, at most 64)' },
      { line: 3, reason: `bad declared_at "${'x'.repeat(80)}…"` },
      { line: 4, reason: `bad class "${'a'.repeat(65)}" (lowercase letters, digits and -, at most 64)` },
      { line: 5, reason: 'bad severity "2\\u001b[31m"' },
    ]);
    expect(formatSummary(s)).not.toContain('x'.repeat(81));
  });

  it('stops at a record over 64 KB, naming its line, having read little past it', async () => {
    const field = 'y'.repeat(200 * 1024);
    const lines = [
      HEADER,
      'pdf,2,before,CSV-40,2026-04-02T10:00:00Z,,,',
      `pdf,2,${field},CSV-41,2026-04-02T10:00:00Z,,,`,
      'pdf,2,after,CSV-42,2026-04-02T10:00:00Z,,,',
    ];
    const p = file('huge-field.csv', `${lines.join('\n')}\n`);

    const err = await importFile(schema.pool, 'csv', p).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(ImportFileError);
    expect(err!.message).toBe('line 3: a record longer than 64 KB, the most one incident may take; is a quote left open?');
    expect(err!.message.length).toBeLessThan(200);
    expect((await rows()).map((r) => r.external_id)).not.toContain('CSV-42');
  });

  it('says the same from the command line, without the field', async () => {
    const p = file('open-quote.csv', `${HEADER}\npdf,2,"never closed,CSV-50,2026-04-03T10:00:00Z,,,\n${'z,'.repeat(50_000)}\n`);
    const err: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
    const env = process.env.DATABASE_URL;
    process.env.DATABASE_URL = schema.url;
    try {
      await expect(runCli(['import', 'csv', p])).resolves.toBe(1);
    } finally {
      process.env.DATABASE_URL = env;
      spy.mockRestore();
    }
    const text = err.join('');
    expect(text).toContain('line 2: a record longer than 64 KB');
    expect(text.length).toBeLessThan(500);
  });

  it('refuses a file without the columns it needs, naming them', async () => {
    await expect(importFile(schema.pool, 'csv', file('other.csv', 'name,when\nx,y\n'))).rejects.toThrow(
      'missing column(s) class, severity, external_id, declared_at, resolved_at',
    );
  });
});
