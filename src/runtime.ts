import { UnrecoverableError, type Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { SlackAdmins } from './adapters/slack/admins';
import { createSlackApp, type SlackApp } from './adapters/slack/app';
import { createSlackClient } from './adapters/slack/client';
import { SlackMembers } from './adapters/slack/members';
import { SlackMessageSync } from './adapters/slack/message-sync';
import { SlackProvisioner, type ProvisionPayload } from './adapters/slack/provision';
import type { Config } from './config';
import type { CoreDeps } from './core/incident/deps';
import { loadCatalog } from './core/playbook/loader';
import { systemClock, type Clock } from './core/ports';
import { healthRoutes } from './http/health';
import { OutboxRelay } from './jobs/outbox-relay';
import { createQueue, createRedis, createWorker, type JobHandler } from './jobs/queue';
import { createLogger, type Logger } from './logger';
import { ChatRefStore } from './store/chat-refs';
import { createPool } from './store/db';
import { pendingMigrations } from './store/migrate';
import { PgIncidentStore } from './store/incident-store';

export type Role = 'all' | 'web' | 'worker';

interface ChatSurface {
  provision: JobHandler;
  render: JobHandler;
}

export interface RuntimeOptions {
  config: Config;
  role?: Role;
  clock?: Clock;
  logger?: Logger;
}

export interface Runtime {
  /** The HTTP port: Slack events in HTTP mode, and the health routes. */
  port: number;
  pool: Pool;
  queue: Queue;
  deps: CoreDeps;
  stop(): Promise<void>;
}

/**
 * Wires the process. Web serves Slack and health; worker relays the outbox and runs jobs.
 * Both relay, so a web-only process still moves its own jobs to Redis without waiting.
 */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config } = opts;
  const role = opts.role ?? 'all';
  const logger = opts.logger ?? createLogger(config.logLevel);
  const catalog = loadCatalog(config.playbooksDir);
  const pool = createPool(config.databaseUrl, 20);
  await requireMigrated(pool);
  const redis = createRedis(config.redisUrl);
  const queue = createQueue(redis, config.queuePrefix);
  const relay = new OutboxRelay(pool, queue, logger);
  const store = new PgIncidentStore(pool, () => relay.nudge());
  const deps: CoreDeps = { store, clock: opts.clock ?? systemClock, catalog };
  const slackClient = createSlackClient(config);

  let slack: SlackApp | null = null;
  let worker: Worker | null = null;
  let workerRedis: Redis | null = null;
  let port = config.port;

  if (role === 'all' || role === 'worker') {
    const sync = new SlackMessageSync(slackClient, deps, new ChatRefStore(pool, 'slack'), logger);
    const provisioner = new SlackProvisioner(slackClient, deps, sync, logger);
    // Chat jobs go to the adapter of the incident's platform; Teams and the console add theirs here.
    const surfaces: Record<string, ChatSurface> = {
      slack: {
        provision: (payload, job) => provisioner.provision(payload as unknown as ProvisionPayload, job),
        render: (payload) => sync.sync(String(payload.incidentId)),
      },
    };
    const surfaceFor = (payload: Record<string, unknown>): ChatSurface => {
      const surface = surfaces[String(payload.platform)];
      if (!surface) throw new UnrecoverableError(`no chat adapter for platform "${String(payload.platform)}"`);
      return surface;
    };
    workerRedis = createRedis(config.redisUrl);
    worker = createWorker(
      workerRedis,
      config.queuePrefix,
      {
        'chat.provision': (payload, job) => surfaceFor(payload).provision(payload, job),
        'chat.render': (payload, job) => surfaceFor(payload).render(payload, job),
      },
      logger,
    );
  }
  relay.start();
  if (role === 'all' || role === 'web') {
    const admins = new SlackAdmins(slackClient, config.admins, logger);
    const members = new SlackMembers(slackClient, logger);
    slack = createSlackApp(config, { deps, admins, members, logger }, healthRoutes(pool, redis));
    port = await slack.start(config.port);
    logger.info({ port, mode: config.slack.appToken ? 'socket' : 'http', role }, 'incident bot listening');
  } else {
    logger.info({ role }, 'incident bot worker running');
  }

  return {
    port,
    pool,
    queue,
    deps,
    async stop() {
      await slack?.stop();
      await relay.stop();
      await worker?.close();
      await queue.close();
      redis.disconnect();
      workerRedis?.disconnect();
      await pool.end();
    },
  };
}

/** Refuses to serve on a database it cannot reach or that lacks migrations, with the fix. */
async function requireMigrated(pool: Pool): Promise<void> {
  let pending: string[];
  try {
    pending = await pendingMigrations(pool);
  } catch (err) {
    await pool.end();
    throw new Error(`Cannot reach Postgres at DATABASE_URL (${(err as Error).message}). Start Postgres or correct DATABASE_URL.`);
  }
  if (pending.length > 0) {
    await pool.end();
    throw new Error(`The database is missing migrations ${pending.join(', ')}. Run \`incident-bot migrate\` first.`);
  }
}
