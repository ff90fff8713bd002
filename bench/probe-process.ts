/**
 * One side of the probe pipeline bench, in a process of its own (PROBE_ROLE):
 *
 *  - bot: the real runtime (startRuntime, role all) with its probes pointed at the bench target.
 *    It declares incidents and enqueues probe runs through runProbes, the way a button or a
 *    command does: each call is one transaction writing a probe_runs row and an outbox row.
 *  - floor: a bare BullMQ Queue + Worker on the same Redis, with the probes queue's job and worker
 *    options and the bot's cap of checks at once (PROBES_AT_ONCE) as its concurrency, each job of
 *    which makes the probe's request (GET /api/v1/me, bearer token, keep-alive agent like
 *    safeFetch's) to the same target and commits one row with the result to Postgres.
 *
 * Both run in the same kind of process, so neither gets an easier event loop than the other.
 */
import path from 'node:path';
import { Agent, request } from 'node:http';
import { Queue, Worker } from 'bullmq';
import { Pool } from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/app/config';
import { changeIncident } from '../src/core/incident/change';
import { declareIncident } from '../src/core/incident/declare-incident';
import { queueProbes, runProbes } from '../src/core/incident/probes';
import { createRedis, defaultJobOptions } from '../src/jobs/queues';
import { workerOptions } from '../src/jobs/workers';
import { PROBES_AT_ONCE } from '../src/probes/runner';
import { startRuntime, type Runtime } from '../src/app/runtime';
import { emit, failStart, serve } from './ipc';
import { BOT_TOKEN, SIGNING_SECRET } from './protocol';

const PROBE_ID = 'me-standard-user';
const RUNBOOK = 'pdf-404';
/** The floor's queue; under the bench's prefix, so its keys go with the rest. */
const FLOOR_QUEUE = 'probe-floor';

export interface EnqueueArgs {
  incidentIds: string[];
  total: number;
  /**
   * calls: one runProbes call per run, as clicks ask, one lane per incident.
   * bulk: one change per incident queuing its share of the runs, the way a declare or
   * "Run all checks" queues several at once (queueProbes through store.mutate).
   */
  mode: 'calls' | 'bulk';
  /** Recorded as requested_by on every run, which is how the parent counts this batch. */
  actorId: string;
  requestPrefix: string;
}

export interface EnqueueResult {
  /** From the first runProbes call to the last one committing, in this process. */
  ms: number;
  failed: number;
  firstError?: string;
}

async function startBotSide(): Promise<Record<string, (args: any) => unknown>> {
  const env = process.env;
  // Built from scratch, not from process.env, so nothing stray changes the set-up.
  const config = loadConfig({
    DATABASE_URL: env.PROBE_DATABASE_URL,
    REDIS_URL: env.PROBE_REDIS_URL,
    QUEUE_PREFIX: env.PROBE_QUEUE_PREFIX,
    PORT: '0',
    LOG_LEVEL: 'silent',
    PLAYBOOKS_DIR: path.resolve(__dirname, '../playbooks'),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: env.PROBE_SLACK_API_URL,
    BRAIFLOW_API_URL: env.PROBE_API_URL,
    BRAIFLOW_STANDARD_USER_TOKEN: 'bench-standard-user-token',
    PROBE_ALLOWED_HOSTS: env.PROBE_ALLOWED_HOSTS,
  });
  const runtime: Runtime = await startRuntime({ config, role: 'all', logger: pino({ level: 'silent' }) });
  const { deps } = runtime;
  return {
    async declare(args: { count: number; actorId: string }): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < args.count; i++) {
        const { snapshot } = await declareIncident(deps, {
          runbook: RUNBOOK,
          summary: `probe bench ${i + 1}`,
          actor: { id: args.actorId },
          platform: 'slack',
          workspace: null,
        });
        ids.push(snapshot.incident.id);
      }
      return ids;
    },
    /** One lane per incident, each calling runProbes in turn: one run per call, as people ask. */
    async enqueue(args: EnqueueArgs): Promise<EnqueueResult> {
      const actor = { id: args.actorId, isAdmin: false, inChannel: true };
      const lanes = args.incidentIds.map((id, lane) => ({ id, runs: [] as number[], lane }));
      for (let k = 0; k < args.total; k++) lanes[k % lanes.length]!.runs.push(k);
      let failed = 0;
      let firstError: string | undefined;
      const started = performance.now();
      if (args.mode === 'bulk') {
        await Promise.all(
          lanes.map(async ({ id, runs }) => {
            try {
              await changeIncident(deps, id, (s, at) =>
                queueProbes(
                  s.incident,
                  runs.map(() => PROBE_ID),
                  args.actorId,
                  at,
                  'all',
                  `${id}:probes:${args.requestPrefix}`,
                ),
              );
            } catch (err) {
              failed += runs.length;
              firstError ??= (err as Error).message;
            }
          }),
        );
        return { ms: performance.now() - started, failed, firstError };
      }
      await Promise.all(
        lanes.map(async ({ id, runs }) => {
          for (const k of runs) {
            try {
              await runProbes(deps, id, PROBE_ID, actor, `${args.requestPrefix}-${k}`);
            } catch (err) {
              failed++;
              firstError ??= (err as Error).message;
            }
          }
        }),
      );
      return { ms: performance.now() - started, failed, firstError };
    },
    stop: () => runtime.stop(),
  };
}

async function startFloorSide(): Promise<Record<string, (args: any) => unknown>> {
  const url = process.env.PROBE_REDIS_URL!;
  const prefix = process.env.PROBE_QUEUE_PREFIX!;
  const producer = createRedis(url);
  const queue = new Queue(FLOOR_QUEUE, { connection: producer, prefix, defaultJobOptions: defaultJobOptions('probes') });
  let completed = 0;
  let waiting: { target: number; done: () => void } | null = null;
  // The least a probe pipeline does per run: the request, then one committed row with its result.
  const target = process.env.PROBE_API_URL!;
  const agent = new Agent({ keepAlive: true, maxSockets: PROBES_AT_ONCE, maxFreeSockets: 8, timeout: 2_000, scheduling: 'lifo' });
  const db = new Pool({ connectionString: process.env.PROBE_DATABASE_URL, max: 20 });
  await db.query(
    'CREATE TABLE IF NOT EXISTS bench_probe_floor (id bigserial PRIMARY KEY, run text NOT NULL, status int NOT NULL, body text, at timestamptz NOT NULL DEFAULT now())',
  );
  const get = () =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${target}/api/v1/me`, { agent, headers: { authorization: 'Bearer bench-standard-user-token' } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  const consumer = createRedis(url);
  const worker = new Worker(
    FLOOR_QUEUE,
    async (job) => {
      const res = await get();
      await db.query('INSERT INTO bench_probe_floor (run, status, body) VALUES ($1, $2, $3)', [job.data.runId, res.status, res.body]);
    },
    { connection: consumer, prefix, ...workerOptions('probes'), concurrency: PROBES_AT_ONCE },
  );
  worker.on('completed', () => {
    completed++;
    if (waiting && completed >= waiting.target) {
      waiting.done();
      waiting = null;
    }
  });
  let failed = 0;
  worker.on('failed', () => failed++);
  await worker.waitUntilReady();
  let batch = 0;
  return {
    /** `total` no-op jobs in one addBulk; ms from the first add to the last 'completed'. */
    async run(args: { total: number; timeoutMs: number }): Promise<{ ms: number; failed: number }> {
      const b = ++batch;
      const failedBefore = failed;
      const jobs = Array.from({ length: args.total }, (_, i) => ({
        name: 'probe.runs',
        data: { incidentId: `floor-${b}`, runId: `run-${b}-${i}`, probeId: 'noop' },
        opts: { jobId: `floor-${b}-${i}` },
      }));
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`floor: ${args.total} jobs not done within ${args.timeoutMs} ms`)), args.timeoutMs);
        waiting = { target: completed + args.total, done: () => (clearTimeout(timer), resolve()) };
      });
      const started = performance.now();
      await queue.addBulk(jobs);
      await done;
      return { ms: performance.now() - started, failed: failed - failedBefore };
    },
    async stop() {
      await worker.close();
      await queue.close();
      producer.disconnect();
      consumer.disconnect();
      agent.destroy();
      await db.end();
    },
  };
}

async function main(): Promise<void> {
  const handlers = process.env.PROBE_ROLE === 'floor' ? await startFloorSide() : await startBotSide();
  // CPU time this process used, so the parent can tell a busy event loop from a waiting one.
  serve({
    ...handlers,
    cpu: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    },
  });
  emit('ready');
}

main().catch(failStart);
