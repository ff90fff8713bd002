#!/usr/bin/env node
import { ConfigError } from './config';
import { RunbookError } from '../core/runbook/loader';
import { runCli } from './commands/program';

runCli(process.argv.slice(2)).then(
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
