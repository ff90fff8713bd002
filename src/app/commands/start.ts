import { loadConfig } from '../config';
import { createLogger } from '../../util/logger';
import { startRuntime, type Role } from '../runtime';

export const ROLES: readonly Role[] = ['all', 'web', 'worker'];

const SHUTDOWN_MS = 9_000;

export interface StartOptions {
  role: Role;
  migrate: boolean;
}

/** `incident-bot start`: runs until SIGTERM or SIGINT, so it returns no exit code (-1). */
export async function startCommand(opts: StartOptions): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // Migrations are applied at start unless the deployment runs `migrate` on its own.
  const runtime = await startRuntime({ config, role: opts.role, logger, migrate: opts.migrate });
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
  return -1;
}
