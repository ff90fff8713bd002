#!/usr/bin/env node
import path from 'node:path';
import { ConfigError, loadConfig, loadDatabaseUrl } from './config';
import { checkRunbooks, formatProblem, RunbookError } from './core/runbook/loader';
import { createLogger } from './logger';
import { startRuntime, type Role } from './runtime';
import { createPool } from './store/db';
import { migrate } from './store/migrate';
import { digestCommand } from './cli/digest';
import { importCommand } from './cli/import';
import { postmortemCommand } from './cli/postmortem';
import { reportCommand } from './cli/report';

const USAGE = `Usage: incident-bot <command>

Commands:
  start [--role all|web|worker] [--no-migrate]
                                  run the bot (default role: all = web + worker); applies pending
                                  migrations first unless --no-migrate
  migrate                         apply migrations/*.sql to DATABASE_URL
  runbooks check [DIR]            validate runbooks (default: PLAYBOOKS_DIR or ./playbooks)
  report mttr --since D --until D [--json]
                                  MTTR, MTTA, diagnosis, recurrence and coverage for a window
  import servicenow|csv FILE [--class-map FILE]
                                  bring in past incidents, for reports from day one
  digest --now                    post the weekly digest now
  postmortem INC-<n> [--platform slack|teams] [--workspace ID]
                                  write the incident's post-mortem as Markdown to stdout
  help                            show this text`;

const SHUTDOWN_MS = 9_000;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'start':
      return start(args);
    case 'migrate':
      return runMigrate();
    // `playbooks` is the folder's name and the command's first name; both spellings keep working.
    case 'runbooks':
    case 'playbooks':
      if (args[0] === 'check') return checkCommand(args[1]);
      process.stderr.write(`Unknown runbooks command "${args[0] ?? ''}". Try: incident-bot runbooks check [DIR]\n`);
      return 2;
    case 'report':
      return reportCommand(args);
    case 'import':
      return importCommand(args);
    case 'digest':
      return digestCommand(args);
    case 'postmortem':
      return postmortemCommand(args);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
      return 2;
  }
}

function checkCommand(dir?: string): number {
  const folder = path.resolve(dir ?? process.env.PLAYBOOKS_DIR ?? './playbooks');
  const { runbooks, problems } = checkRunbooks(folder);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    process.stderr.write(`\n${problems.length} problem(s) found. Fix them and run the check again.\n`);
    return 1;
  }
  process.stdout.write(`${runbooks.length} runbook(s) OK: ${runbooks.map((p) => p.id).join(', ')}\n`);
  return 0;
}

async function runMigrate(): Promise<number> {
  const pool = createPool(loadDatabaseUrl(), 2);
  try {
    const { applied, skipped } = await migrate(pool);
    process.stdout.write(
      applied.length ? `Applied ${applied.join(', ')}.\n` : `Database is up to date (${skipped.length} migration(s) already applied).\n`,
    );
    return 0;
  } finally {
    await pool.end();
  }
}

async function start(args: string[]): Promise<number> {
  const i = args.indexOf('--role');
  const role = (i >= 0 ? args[i + 1] : 'all') as Role;
  if (!['all', 'web', 'worker'].includes(role)) {
    process.stderr.write(`--role must be all, web or worker (got "${role ?? ''}").\n`);
    return 2;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // Migrations are applied at start unless the deployment runs `migrate` on its own.
  const runtime = await startRuntime({ config, role, logger, migrate: !args.includes('--no-migrate') });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    // Whatever Postgres or Redis do, a supervisor waiting on SIGTERM gets its exit within 10 s.
    setTimeout(() => {
      logger.error({ signal }, 'shutdown took over 9 s; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_MS).unref();
    runtime.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof RunbookError) {
      process.stderr.write(`${err.message}\n`);
    } else {
      process.stderr.write(`incident-bot: ${(err as Error).message}\n`);
    }
    // Exit now: a start that failed half-way may hold Redis or Postgres connections open.
    process.exit(1);
  },
);
