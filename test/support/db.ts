import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { createPool } from '../../src/store/db';
import { migrate } from '../../src/store/migrate';

export const BASE_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export interface TestSchema {
  name: string;
  /** DATABASE_URL that puts this schema first on the search_path. */
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** A fresh schema per test file: files run in parallel against one database without touching each other. */
export async function freshSchema(opts: { migrate?: boolean } = {}): Promise<TestSchema> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: BASE_DATABASE_URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${name}`);
  await admin.end();
  const url = withSearchPath(BASE_DATABASE_URL, name);
  const pool = createPool(url, 5);
  if (opts.migrate !== false) await migrate(pool);
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      const cleanup = new Pool({ connectionString: BASE_DATABASE_URL, max: 1 });
      await cleanup.query(`DROP SCHEMA ${name} CASCADE`);
      await cleanup.end();
    },
  };
}

export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}
