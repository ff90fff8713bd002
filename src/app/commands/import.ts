import { loadDatabaseUrl } from '../config';
import { ClassMapError, loadClassMap, type ClassMap } from '../../imports/class-map';
import { importFile } from '../../imports/run';
import { formatSummary } from '../../imports/summary';
import { ImportFileError, type ImportSource } from '../../imports/types';
import { createPool } from '../../store/db';

export const IMPORT_SOURCES: readonly ImportSource[] = ['servicenow', 'csv'];

/**
 * `incident-bot import …`: exit 0 when the file was read through (skipped lines included),
 * 2 for bad usage or an unusable class map, 1 when the file cannot be read.
 */
export async function importCommand(source: ImportSource, file: string, opts: { classMap?: string }): Promise<number> {
  const parsed = { source, file, classMap: opts.classMap };
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

/** File-system errors (ENOENT, EACCES, EISDIR …, they carry a path) and zlib's for a broken .gz; not a refused database connection. */
function isFileError(err: unknown): boolean {
  const { code, path } = err as { code?: unknown; path?: unknown };
  if (typeof code !== 'string') return false;
  return (typeof path === 'string' && code.startsWith('E')) || code.startsWith('Z_');
}
