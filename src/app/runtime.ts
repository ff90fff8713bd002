import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { createSlackApp, SLACK_EVENTS_PATH, type SlackApp } from '../adapters/slack/app';
import { createSlackClient } from '../adapters/slack/client';
import { SlackPlatform } from '../adapters/slack/platform';
import { SlackHome } from '../adapters/slack/home';
import { HomeQueries } from '../store/home';
import type { TeamsPlatform } from '../adapters/teams/platform';
import { surfaces, type Config } from './config';
import { alertsWiring } from './alerts-wiring';
import { Dispatcher } from '../core/commands/dispatch';
import { PermanentError } from '../core/errors';
import type { CoreDeps } from '../core/incident/deps';
import type { WeeklyDigest } from '../jobs/handlers/digest-weekly';
import { jobHandlers } from '../jobs/handlers';
import { WebhookSender } from '../webhooks/sender';
import type { ChatPlatform } from '../core/ports';
import { systemClock, type Clock } from '../core/ports';
import { loadCatalog } from '../core/runbook/loader';
import { localClients } from '../http/addresses';
import { operationalRoutes } from '../http/health';
import { Metrics } from '../http/metrics';
import { HttpServer, type Route } from '../http/server';
import { Traffic } from '../http/traffic';
import { weeklyDigestsFrom } from './digest-wiring';
import { PgReports } from '../store/reports';
import { PgIncidentSearch } from '../store/incident-search';
import { DIGEST_SCHEDULER_ID, scheduleDigest, startDigest } from '../jobs/digest-schedule';
import { REMINDER_SCHEDULER_ID, scheduleReminders } from '../jobs/reminder-schedule';
import { ScheduleKeeper } from '../jobs/schedules';
import { OverdueReminders } from '../jobs/handlers/actions-remind';
import { ActionReminderStore } from '../store/action-reminders';
import { PostmortemReminderStore } from '../store/postmortem-reminders';
import { OutboxRelay } from '../jobs/outbox-relay';
import { SetupSweep } from '../jobs/setup-sweep';
import { createRedis, JobQueues, onReconnect } from '../jobs/queues';
import { createWorkers, type JobObserver } from '../jobs/workers';
import { AcksFirst } from '../jobs/acks-first';
import { LocalDeclares } from '../jobs/local-declares';
import { declareAccepted } from '../core/incident/accept-declare';
import type { NewJob } from '../core/jobs';
import { LocalRenders } from '../jobs/local-renders';
import type { RunHereDeps } from '../jobs/run-here';
import { chatRender } from '../jobs/handlers/chat-render';
import { createLogger, type Logger } from '../util/logger';
import { ProbeRunner, type ProbeTargets } from '../probes/runner';
import { ChatRefStore } from '../store/chat-refs';
import { ChatRoomStore } from '../store/chat-rooms';
import { connectFailuresNotWritten, createPool, DECLARE_LIMITS } from '../store/db';
import { migrate, pendingMigrations } from '../store/migrate';
import { ping } from '../store/operations';
import { PgOutbox } from '../store/outbox';
import { storedConsoleSecret } from '../store/console-secret';
import { PgConsoleReads } from '../store/console-reads';
import { ConsoleApp, type ConsoleOptions } from '../adapters/console/app';
import { ConsoleChanges } from '../store/console-changes';
import { consolePages } from '../adapters/console/pages-data';
import { ConsolePlatform } from '../adapters/console/platform';
import { consoleReads } from '../adapters/console/reads';
import { withTimeout } from '../util/timeout';
import { PgIncidentStore } from '../store/incident-store';

export type Role = 'all' | 'web' | 'worker';

export interface RuntimeOptions {
  config: Config;
  role?: Role;
  clock?: Clock;
  logger?: Logger;
  /** Applies pending migrations at start (under the migrator's advisory lock) instead of refusing. */
  migrate?: boolean;
  /** How soon the sweeps step in; tests shorten them to see a recovery within seconds. */
  sweeps?: { vanishedAfterMs?: number; setupGraceMs?: number; setupIntervalMs?: number; schedulesEveryMs?: number };
  /** The console's sign-in throttle and clock, for tests. */
  console?: ConsoleOptions;
}

export interface Runtime {
  /** The HTTP port: surfaces, health, readiness and metrics. */
  port: number;
  pool: Pool;
  queues: JobQueues;
  deps: CoreDeps;
  /** The chat platforms this process serves, by name. */
  platforms: Map<string, ChatPlatform>;
  relay: OutboxRelay;
  /** Null in a web-only process. */
  sweep: SetupSweep | null;
  stop(): Promise<void>;
}

/**
 * Wires the process. Every role serves /healthz, /readyz and /metrics; web adds the chat
 * surfaces; worker runs the jobs. Both relay the outbox, so a web-only process still moves its
 * own jobs to Redis without waiting.
 */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config } = opts;
  const role = opts.role ?? 'all';
  const logger = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const catalog = loadCatalog(config.runbooksDir);
  const pool = createPool(config.databaseUrl, 30);
  if (opts.migrate) await migrateAtStart(pool, logger);
  await requireMigrated(pool);
  const declarePool = createPool(config.databaseUrl, 5, DECLARE_LIMITS);
  connectFailuresNotWritten(pool);
  connectFailuresNotWritten(declarePool);
  const redisConnections = new Set<Redis>();
  const redis = createRedis(config.redisUrl, logger, 'producer', redisConnections);
  const queues = new JobQueues(redis, config.queuePrefix, logger);
  const relay = new OutboxRelay(new PgOutbox(pool), queues, clock, logger, 1_000, 5_000, opts.sweeps?.vanishedAfterMs);
  onReconnect(redis, () => relay.afterReconnect());
  // Declares recorded before the ack are made here, after the acks in flight (local-declares.ts).
  const traffic = new Traffic();
  const acksFirst = new AcksFirst(traffic);
  const runDeclare = (job: NewJob) => localDeclares.start(job);
  const store = new PgIncidentStore(pool, () => relay.nudge(), declarePool, runDeclare);
  const deps: CoreDeps = { store, clock, catalog, tz: config.tz, reports: new PgReports(pool), search: new PgIncidentSearch(pool) };
  const metrics = new Metrics(pool, queues);

  const platforms = new Map<string, ChatPlatform>();
  if (config.slack) {
    const stores = { refs: new ChatRefStore(pool, 'slack'), rooms: new ChatRoomStore(pool, 'slack') };
    const client = createSlackClient(config.slack);
    const home = new SlackHome(client, new HomeQueries(pool), logger, config.tz);
    platforms.set('slack', new SlackPlatform(client, deps, stores, config.slack.admins, logger, home, config.slack.announceChannel ?? null));
  }
  // botbuilder takes most of a second to load: only a bot that serves Teams pays for it.
  const teamsModule = (): typeof import('../adapters/teams/platform') => require('../adapters/teams/platform');
  const teams: TeamsPlatform | null = config.teams ? new (teamsModule().TeamsPlatform)(config.teams, pool, deps, logger) : null;
  if (teams) platforms.set('teams', teams);
  let port = 0;
  const consoleChanges = config.console ? new ConsoleChanges(pool, logger) : null;
  const consoleUrl = () => config.console?.publicUrl ?? `http://localhost:${port}`;
  const webConsole = config.console && consoleChanges ? new ConsolePlatform(config.console, pool, deps, consoleChanges, consoleUrl) : null;
  if (webConsole) platforms.set(webConsole.name, webConsole);

  const workers: Worker[] = [];
  let sweep: SetupSweep | null = null;
  let probes: ProbeRunner | null = null;
  let digests: WeeklyDigest[] = [];
  // Chat jobs go to the platform of the incident; Teams and the console add theirs to `platforms`.
  const platformOf = (name: string): ChatPlatform => {
    const p = platforms.get(name);
    if (!p) throw new PermanentError(`no chat platform "${name}" is configured in this process`);
    return p;
  };
  const observe: JobObserver = (queue, kind, outcome, seconds) => metrics.observeJob(queue, kind, outcome, seconds);
  // What a job run where it was taken needs: the acks-first gate, its row marked done, the queue on failure.
  const runHere: RunHereDeps = {
    enter: (kind) => acksFirst.enter(kind),
    finished: (key) => relay.markDone(key),
    queue: (job) => queues.add([job]),
    observe,
    logger,
  };
  // Every role re-renders the messages its own clicks changed: the render is the click's answer,
  // and a web process runs it as soon as a worker would, without the trip through Redis.
  const localRenders = new LocalRenders({ ...runHere, handler: chatRender({ platformOf }) });
  relay.runRendersHere(localRenders);
  const localDeclares = new LocalDeclares({ ...runHere, declare: (p) => declareAccepted(deps, p) });
  relay.runDeclaresHere(localDeclares);
  if (role === 'all' || role === 'worker') {
    sweep = new SetupSweep(deps, logger, opts.sweeps?.setupGraceMs, opts.sweeps?.setupIntervalMs);
    sweep.start();
    probes = new ProbeRunner(deps, probeTargets(config), logger);
    const webhooks = new WebhookSender(config.webhooks);
    const connection = () => createRedis(config.redisUrl, logger, 'worker', redisConnections);
    const reminders = new OverdueReminders(
      new ActionReminderStore(pool),
      (name) => platforms.get(name),
      clock,
      config.tz,
      logger,
      new PostmortemReminderStore(pool),
    );
    digests = weeklyDigestsFrom(config, { pool, catalog, clock, logger, reports: deps.reports });
    const promote = (kind: string, dedupeKey: string) => queues.promote(kind, dedupeKey);
    const handlers = jobHandlers({ deps, platformOf, webhooks, probes, reminders, digests, promote });
    workers.push(
      ...createWorkers(connection, config.queuePrefix, handlers, logger, {
        observe,
        finished: (key) => relay.markDone(key),
        // Acks first, without parking the renders people are waiting for (src/jobs/acks-first.ts).
        beforeJob: (kind) => acksFirst.enter(kind),
      }),
    );
  }
  relay.start();
  let schedules: ScheduleKeeper | null = null;
  if (role === 'all' || role === 'worker') {
    // A Redis that is down at start must not keep the bot from serving incidents: the keeper schedules it later.
    await withTimeout(startDigest(queues, digests, config.digest), 5_000, 'no answer within 5 s').catch((err: Error) =>
      logger.warn({ err }, 'could not schedule the weekly digest'),
    );
    schedules = new ScheduleKeeper(
      queues,
      [
        { id: REMINDER_SCHEDULER_ID, name: 'reminder', assert: () => scheduleReminders(queues, config.reminders) },
        ...(digests.length > 0 ? [{ id: DIGEST_SCHEDULER_ID, name: 'digest', assert: () => scheduleDigest(queues, config.digest) }] : []),
      ],
      logger,
      opts.sweeps?.schedulesEveryMs,
    );
    await schedules.assert();
    schedules.start();
    const keeper = schedules;
    onReconnect(redis, () => void keeper.assert());
  }

  const routes: Route[] = operationalRoutes(
    pool,
    redis,
    metrics,
    {
      sinceRelayPass: () => relay.sinceDatabasePass(),
      redisRequired: role !== 'web',
      missingSchedules: schedules ? () => schedules!.missing() : undefined,
    },
    localClients(config.metricsAllowFrom),
  );
  const alerts = role === 'all' || role === 'web' ? alertsWiring(config, deps, pool, platforms, teams, logger) : null;
  if (alerts) routes.push(...alerts.routes);
  let slack: SlackApp | null = null;
  // One dispatcher for every surface: its limit on work in flight is the process's, not a platform's.
  const dispatcher = new Dispatcher(deps, logger);
  if ((role === 'all' || role === 'web') && config.slack) {
    slack = createSlackApp(config.slack, dispatcher, platforms.get('slack')!, logger, alerts?.slackDeclare);
    if (slack.requestListener) routes.push({ method: 'POST', path: SLACK_EVENTS_PATH, handler: slack.requestListener });
  }
  let consoleApp: ConsoleApp | null = null;
  if ((role === 'all' || role === 'web') && config.console && webConsole) {
    const people = config.console.people;
    const names = (id: string) => people.find((p) => p.id === id)?.name ?? null;
    const reads = consoleReads(new PgConsoleReads(pool), deps, webConsole.messages, config.runbooksDir, names);
    const secret = config.console.secret ? Buffer.from(config.console.secret, 'utf8') : await storedConsoleSecret(pool);
    const declareAlert = alerts?.declareOn(webConsole.name) ?? null;
    consoleApp = new ConsoleApp(config.console, webConsole, dispatcher, consolePages, reads, logger, secret, declareAlert, opts.console);
    routes.push(...consoleApp.routes());
  }
  if ((role === 'all' || role === 'web') && teams) {
    const { TeamsBot }: typeof import('../adapters/teams/bot') = require('../adapters/teams/bot');
    const { TEAMS_MESSAGES_PATH, teamsEndpoint }: typeof import('../adapters/teams/endpoint') = require('../adapters/teams/endpoint');
    routes.push({
      method: 'POST',
      path: TEAMS_MESSAGES_PATH,
      handler: teamsEndpoint(teams, new TeamsBot(dispatcher, teams, logger, alerts?.declareOn('teams')), logger),
    });
  }
  const server = new HttpServer(routes, metrics, traffic);
  try {
    port = await server.listen(config.port, config.host ?? undefined);
    await slack?.start();
  } catch (err) {
    await server.close();
    throw err;
  }
  const serving = role === 'worker' ? [] : surfaces(config);
  const listening = `${config.host ?? 'every interface'} port ${port}`;
  logger.info(
    { port, host: config.host, role, surfaces: serving },
    `${role === 'worker' ? 'incident bot worker running' : `incident bot serving ${serving.join(', ')}`}, listening on ${listening}`,
  );
  if (webConsole && role !== 'worker') logger.info({ url: `${consoleUrl()}/console` }, `console at ${consoleUrl()}/console`);

  return {
    port,
    pool,
    queues,
    deps,
    platforms,
    relay,
    sweep,
    /**
     * Stops taking work, lets running jobs finish for a few seconds, then lets go of everything.
     * Each step is bounded: a Redis or Postgres that stopped answering cannot hold shutdown.
     */
    async stop() {
      const bounded = (what: string, p: Promise<unknown> | undefined, ms = 3_000) =>
        withTimeout(Promise.resolve(p), ms, `${what} did not stop within ${ms} ms`).catch((err: Error) => logger.warn({ err }, 'shutdown step cut short'));
      await bounded('slack', slack?.stop());
      consoleApp?.close();
      await bounded('console listener', consoleChanges?.stop());
      await bounded('http server', server.close());
      await bounded('setup sweep', sweep?.stop());
      schedules?.stop();
      // With Redis away nothing graceful can finish: do not wait for it.
      const redisUp = redis.status === 'ready';
      await bounded('outbox relay', relay.stop(redisUp ? 3_000 : 200));
      // A render cut short here leaves its row unfinished; another process's overdue sweep queues it.
      await bounded('renders', localRenders.stop(redisUp ? 3_000 : 200), 4_000);
      // A declare cut short here stays recorded; the overdue sweep of another process queues it.
      await bounded('declares', localDeclares.stop(redisUp ? 3_000 : 200), 4_000);
      // A job cut short here is picked up again by another worker once its lock lapses.
      await bounded('workers', Promise.all(workers.map((w) => w.close())), redisUp ? 5_000 : 200);
      await Promise.all(workers.map((w) => bounded('worker', w.close(true), 1_000)));
      await bounded('queues', queues.close(), 1_000);
      await bounded('probes', probes?.close(), 1_000);
      // One BullMQ already closed would leave ioredis a 2 s timer for nothing.
      for (const c of redisConnections) if (c.status !== 'end') c.disconnect();
      await bounded('postgres', Promise.all([pool.end(), declarePool.end()]), 2_000);
    },
  };
}

/** The probes' targets from config: the API host is the only one allowed unless others are listed. */
function probeTargets(config: Config): ProbeTargets {
  const p = config.probes;
  const apiHost = p.apiUrl ? new URL(p.apiUrl).host.toLowerCase() : null;
  return {
    http: { baseUrl: p.apiUrl, standardUserToken: p.standardUserToken, policy: { allowed: p.allowedHosts, apiHost } },
    queue: p.queue,
    storage: { app: p.s3.app, standardUser: p.s3.standardUser },
  };
}

/** How long `start` waits for Postgres before it gives up and says why. */
export const START_DATABASE_MS = 6_000;

/** `start` applies what is pending itself; concurrent starts wait on the migrator's advisory lock. */
async function migrateAtStart(pool: Pool, logger: Logger): Promise<void> {
  // Reachable first, within the same bound as without migrating: a Postgres that does not answer
  // is said once, in time, not waited for twice.
  try {
    await withTimeout(ping(pool), START_DATABASE_MS, `no answer within ${START_DATABASE_MS / 1000} s`);
  } catch (err) {
    await withTimeout(pool.end(), 1_000, 'pool did not close').catch(() => undefined);
    throw new Error(`Cannot reach Postgres at DATABASE_URL (${(err as Error).message}). Start Postgres or correct DATABASE_URL.`, { cause: err });
  }
  try {
    const { applied } = await withTimeout(migrate(pool), 60_000, 'migrations did not finish within 60 s');
    if (applied.length > 0) logger.info({ applied }, `applied migrations ${applied.join(', ')}`);
  } catch (err) {
    // requireMigrated then says what is missing and how to apply it.
    logger.warn({ err }, 'could not apply migrations at start');
  }
}

/** Refuses to serve on a database it cannot reach or that lacks migrations, with the fix. */
async function requireMigrated(pool: Pool): Promise<void> {
  let pending: string[];
  // A pool holding a connection that never answers would make end() wait for it too.
  const close = () => withTimeout(pool.end(), 1_000, 'pool did not close').catch(() => undefined);
  try {
    pending = await withTimeout(pendingMigrations(pool), START_DATABASE_MS, `no answer within ${START_DATABASE_MS / 1000} s`);
  } catch (err) {
    await close();
    throw new Error(`Cannot reach Postgres at DATABASE_URL (${(err as Error).message}). Start Postgres or correct DATABASE_URL.`, { cause: err });
  }
  if (pending.length > 0) {
    await close();
    throw new Error(`The database is missing migrations ${pending.join(', ')}. Run \`incident-bot migrate\` first.`);
  }
}
