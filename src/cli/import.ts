import { loadDatabaseUrl } from '../config';
import { ClassMapError, loadClassMap, type ClassMap } from '../imports/class-map';
import { importFile } from '../imports/run';
import { formatSummary } from '../imports/summary';
import { ImportFileError, type ImportSource } from '../imports/types';
import { createPool } from '../store/db';

const USAGE = `Usage: incident-bot import servicenow|csv FILE [--class-map FILE]

  servicenow  a ServiceNow incident export or event log (the last row of each number wins)
  csv         our columns: class, severity, title, external_id, declared_at, acknowledged_at,
              diagnosed_at, resolved_at (ISO 8601; no offset means UTC)
  FILE        .csv, or gzipped
  --class-map a YAML or JSON object {"outside category": runbook-class}`;

interface ImportArgs {
  source: ImportSource;
  file: string;
  classMap?: string;
}

/**
 * `incident-bot import …`: exit 0 when the file was read through (skipped lines included),
 * 2 for bad usage or an unusable class map, 1 when the file cannot be read.
 */
export async function importCommand(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n\n${USAGE}\n`);
    return 2;
  }
  let classMap: ClassMap | undefined;
  if (parsed.classMap) {
    try {
      classMap = await loadClassMap(parsed.classMap);
    } catch (err) {
      process.stderr.write(`${err instanceof ClassMapError ? err.message : `cannot read class map ${parsed.classMap}: ${(err as Error).message}`}\n`);
      return 2;
    }
  }
  const pool = createPool(loadDatabaseUrl(), 2);
  try {
    const summary = await importFile(pool, parsed.source, parsed.file, {
      classMap,
      progress: (text) => process.stderr.write(text),
    });
    process.stdout.write(formatSummary(summary));
    return 0;
  } catch (err) {
    if (err instanceof ImportFileError) {
      process.stderr.write(`${parsed.file} is not a ${parsed.source} file: ${err.message}\n`);
      return 1;
    }
    if (isFileError(err)) {
      process.stderr.write(`cannot read ${parsed.file}: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await pool.end();
  }
}

function parseArgs(args: string[]): ImportArgs | string {
  const rest: string[] = [];
  let classMap: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--class-map') {
      classMap = args[++i];
      if (!classMap) return '--class-map needs a file';
    } else if (a.startsWith('--class-map=')) {
      classMap = a.slice('--class-map='.length);
    } else if (a.startsWith('-')) {
      return `unknown option ${a}`;
    } else {
      rest.push(a);
    }
  }
  const [source, file, ...extra] = rest;
  if (source !== 'servicenow' && source !== 'csv') return `import what? servicenow or csv (got "${source ?? ''}")`;
  if (!file) return 'which file?';
  if (extra.length) return `unexpected argument ${extra[0]}`;
  return { source, file, classMap };
}

/** File-system errors (ENOENT, EACCES, EISDIR …, they carry a path) and zlib's for a broken .gz; not a refused database connection. */
function isFileError(err: unknown): boolean {
  const { code, path } = err as { code?: unknown; path?: unknown };
  if (typeof code !== 'string') return false;
  return (typeof path === 'string' && code.startsWith('E')) || code.startsWith('Z_');
}
