import { loadDatabaseUrl } from '../config';
import { createPool } from '../../store/db';
import { migrate } from '../../store/migrate';

/** `incident-bot migrate`: applies migrations/*.sql to DATABASE_URL. */
export async function migrateCommand(): Promise<number> {
  const pool = createPool(loadDatabaseUrl(), 2);
  try {
    const { applied, skipped } = await migrate(pool);
    process.stdout.write(applied.length ? `Applied ${applied.join(', ')}.\n` : `Database is up to date (${skipped.length} migration(s) already applied).\n`);
    return 0;
  } finally {
    await pool.end();
  }
}
