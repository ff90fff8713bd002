import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * The console's signing key kept in Postgres: the first process to ask stores 32 random bytes,
 * every later one (and every concurrent one, through ON CONFLICT) reads that same row.
 */
export async function storedConsoleSecret(pool: Pool): Promise<Buffer> {
  await pool.query('INSERT INTO console_secrets (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [randomBytes(32)]);
  const { rows } = await pool.query('SELECT secret FROM console_secrets WHERE id = 1');
  return rows[0].secret as Buffer;
}
