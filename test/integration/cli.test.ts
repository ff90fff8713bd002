import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, spawnCli } from '../support/bot-process';
import { freshSchema, type TestSchema } from '../support/db';

/** The real entry point in its own process, as an operator runs it (no build needed). */
function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    const started = Date.now();
    const child = spawnCli(args, { env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    // A start that ignored --help would keep running: kill it so the test fails instead of hanging.
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('incident-bot, run as a process', () => {
  let schema: TestSchema;
  let env: Record<string, string>;

  beforeAll(async () => {
    schema = await freshSchema({ migrate: false });
    // Enough for `start` to get past its config check if it ever ignored --help.
    env = { DATABASE_URL: schema.url, PORT: '0', LOG_LEVEL: 'info' };
  });
  afterAll(() => schema.drop());

  const migrated = async () => (await schema.pool.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS m`)).rows[0].m as boolean;

  it('answers migrate --help with the usage and applies nothing', async () => {
    const r = await cli(['migrate', '--help'], env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('Usage: incident-bot migrate');
    expect(await migrated()).toBe(false);
  }, 30_000);

  it('answers start --help with the usage at once, without starting or migrating', async () => {
    const r = await cli(['start', '--help'], env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('--role <role>');
    expect(r.stdout).not.toContain('listening');
    expect(r.ms).toBeLessThan(15_000);
    expect(await migrated()).toBe(false);
  }, 30_000);

  it('prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await cli(['--version'], env);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  }, 30_000);

  it('exits 2 with the usage for start --role=bogus, and starts nothing', async () => {
    const r = await cli(['start', '--role=bogus'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'bogus' is invalid. Allowed choices are all, web, worker.");
    expect(r.stderr).toContain('Usage: incident-bot start');
    expect(await migrated()).toBe(false);
  }, 30_000);
});
