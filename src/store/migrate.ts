import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'pg';
import { checkout } from './db';

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

async function migrationFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
}

/** Migrations not yet applied to this database; `start` refuses to run until there are none. */
export async function pendingMigrations(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = await migrationFiles(dir);
  const { rows } = await pool.query<{ exists: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`);
  if (!rows[0]?.exists) return files;
  const applied = await pool.query<{ filename: string }>('SELECT filename FROM schema_migrations');
  const done = new Set(applied.rows.map((r) => r.filename));
  return files.filter((f) => !done.has(f));
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

/**
 * Applies migrations/*.sql in name order, each in its own transaction, under an advisory
 * lock scoped to the current schema so concurrent migrators wait instead of colliding.
 * A landed migration whose text changed is refused: migrations are append-only.
 */
export async function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<MigrateResult> {
  const files = await migrationFiles(dir);
  const client = await checkout(pool);
  const result: MigrateResult = { applied: [], skipped: [] };
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('incident-bot:migrate:' || current_schema()))`);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        filename text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ filename: string; checksum: string }>('SELECT filename, checksum FROM schema_migrations');
      const done = new Map(rows.map((r) => [r.filename, r.checksum]));
      for (const file of files) {
        const sql = await readFile(path.join(dir, file), 'utf8');
        const checksum = createHash('sha256').update(sql).digest('hex');
        const previous = done.get(file);
        if (previous !== undefined) {
          if (previous !== checksum) {
            throw new Error(
              `migrations/${file} was changed after it was applied. Migrations are append-only: ` + `restore the file and put the change in a new migration.`,
            );
          }
          result.skipped.push(file);
          continue;
        }
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (filename, checksum) VALUES ($1, $2)', [file, checksum]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migrations/${file} failed: ${(err as Error).message}`, { cause: err });
        }
        result.applied.push(file);
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('incident-bot:migrate:' || current_schema()))`);
    }
  } finally {
    client.release();
  }
  return result;
}
