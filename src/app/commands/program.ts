import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Argument, Command, CommanderError, Option, type OutputConfiguration } from 'commander';
import type { Role } from '../runtime';
import type { ImportSource } from '../../imports/types';
import { digestCommand } from './digest';
import { IMPORT_SOURCES, importCommand } from './import';
import { migrateCommand } from './migrate';
import { parseIncidentNumber, PLATFORMS, postmortemCommand } from './postmortem';
import { mttrCommand, parseReportDate } from './report';
import { runbooksCheckCommand } from './runbooks';
import { ROLES, startCommand } from './start';

/** Bad usage exits 2, as the hand-written parser did and as shells expect; commander's default is 1. */
export const USAGE_EXIT = 2;

// src/app/commands and dist/app/commands are both three levels below the package root.
const VERSION = (JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The whole command line. Each action stores its exit code in `done`; parsing never runs an action
 * for --help, --version or a usage error, so a help request cannot migrate or start anything.
 */
export function buildProgram(done: (code: number) => void, output?: OutputConfiguration): Command {
  const program = new Command('incident-bot')
    .description('Chat-ops incident response bot: runbooks as checklists, a timeline in Postgres, MTTR you can trust.')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError()
    .showSuggestionAfterError();
  if (output) program.configureOutput(output);

  program
    .command('start')
    .description('run the bot; applies pending migrations first unless --no-migrate')
    .addOption(new Option('--role <role>', 'which half of the bot this process runs').choices(ROLES).default('all'))
    .option('--no-migrate', 'do not apply migrations at start (the deployment runs `migrate` itself)')
    .action(async (o: { role: Role; migrate: boolean }) => done(await startCommand(o)));

  program
    .command('migrate')
    .description('apply migrations/*.sql to DATABASE_URL')
    .action(async () => done(await migrateCommand()));

  // `playbooks` is the folder's name and the command's first name; both spellings keep working.
  const runbooks = program.command('runbooks').alias('playbooks').description('work with the runbooks');
  runbooks
    .command('check')
    .description('validate runbooks (default folder: PLAYBOOKS_DIR or ./playbooks)')
    .argument('[dir]', 'the folder of runbook YAML files')
    .action((dir?: string) => done(runbooksCheckCommand(dir)));

  const report = program.command('report').description('incident KPIs');
  report
    .command('mttr')
    .description('MTTR, MTTA, diagnosis, recurrence and runbook coverage for a window of declared incidents')
    .option('--since <date>', 'start (YYYY-MM-DD or ISO date-time, UTC unless it names a zone; default: 30 days before --until)', parseReportDate)
    .option('--until <date>', 'end, excluded (default: now)', parseReportDate)
    .option('--json', 'print JSON instead of a table')
    .action(async (o: { since?: Date; until?: Date; json?: boolean }) => done(await mttrCommand(o)));

  program
    .command('import')
    .description('bring in past incidents, for reports from day one')
    .addArgument(
      new Argument('<source>', 'servicenow: an incident export or event log (the last row of each number wins); csv: our columns').choices(IMPORT_SOURCES),
    )
    .argument(
      '<file>',
      '.csv, or gzipped; csv columns: class, severity, title, external_id, declared_at, acknowledged_at, diagnosed_at, resolved_at (ISO 8601; no offset means UTC)',
    )
    .option('--class-map <file>', 'a YAML or JSON object {"outside category": runbook-class}')
    .action(async (source: ImportSource, file: string, o: { classMap?: string }) => done(await importCommand(source, file, o)));

  program
    .command('digest')
    .description('post the weekly digest of the last complete period now (once: never twice per period)')
    .requiredOption('--now', 'post now (the only mode there is; the schedule posts on its own)')
    .action(async () => done(await digestCommand()));

  program
    .command('postmortem')
    .description("write the incident's post-mortem as Markdown to stdout")
    .usage(`INC-<n> [--platform ${PLATFORMS.join('|')}] [--workspace ID]`)
    .addArgument(new Argument('<incident>', 'INC-<n> or <n>').argParser(parseIncidentNumber))
    .addOption(new Option('--platform <platform>', 'pick one when the number exists on more than one platform').choices(PLATFORMS))
    .option('--workspace <id>', 'pick one when the number exists in more than one workspace or tenant')
    .action(async (n: number, o: { platform?: string; workspace?: string }) => done(await postmortemCommand(n, o)));

  // The command list alone hides the nested commands and every flag; an operator reading
  // `incident-bot --help` should see all of them without trying each command.
  program.addHelpText(
    'after',
    () => `\nEvery command with its arguments and flags (\`incident-bot help <command>\` explains each):\n${synopsis(program).join('\n')}\n`,
  );
  return program;
}

function synopsis(cmd: Command, prefix = ''): string[] {
  const name = prefix ? `${prefix} ${cmd.name()}` : cmd.name();
  const leaves = cmd.commands.filter((c) => c.name() !== 'help');
  if (leaves.length > 0) return leaves.flatMap((c) => synopsis(c, name));
  const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`));
  const flags = cmd.options.map((o) => (o.mandatory ? o.flags : `[${o.flags}]`));
  return [`  ${[name, ...args, ...flags].join(' ')}`];
}

/** Parses and runs; resolves to the exit code (-1 while `start` keeps running). */
export async function runCli(argv: string[], output?: OutputConfiguration): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c), output);
  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    return err.exitCode === 0 ? 0 : USAGE_EXIT;
  }
}
