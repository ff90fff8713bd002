/**
 * One side of the escalation lag bench, in a process of its own (ESCALATION_ROLE):
 *
 *  - bot: the real runtime (startRuntime, role all) on the bench's runbooks, whose pdf-404 level 1
 *    is due 4 s after the declare. It declares incidents through declareIncident, spread in time.
 *  - floor: a bare BullMQ Queue + Worker on the same Redis, with the escalations queue's
 *    concurrency, job options and worker options, whose delayed jobs do nothing.
 *
 * Both run in the same kind of process, so neither gets an easier event loop than the other, and
 * each times its own side with its own clock: nothing measured crosses a process boundary.
 */
import { Queue, Worker, type Job } from 'bullmq';
import pino from 'pino';
import { loadConfig } from '../src/app/config';
import { declareIncident } from '../src/core/incident/declare-incident';
import { createRedis, defaultJobOptions } from '../src/jobs/queues';
import { workerOptions } from '../src/jobs/workers';
import { startRuntime, type Runtime } from '../src/app/runtime';
import { emit, failStart, serve } from './ipc';
import { LoopDelayWindows } from './loop-delay';
import { BOT_TOKEN, SIGNING_SECRET } from './protocol';

/** The floor's queue; under the bench's prefix, so its keys go with the rest. */
const FLOOR_QUEUE = 'escalation-floor';

export interface SpreadArgs {
  count: number;
  /** The k-th of `count` starts k × spreadMs / count after the first. */
  spreadMs: number;
}

export interface DeclareArgs extends SpreadArgs {
  actorId: string;
}

export interface DeclareResult {
  ids: string[];
  /** From the first declare starting to the last one committing, in this process. */
  ms: number;
  failed: number;
  firstError?: string;
}

export interface FloorRunArgs extends SpreadArgs {
  delayMs: number;
  timeoutMs: number;
}

export interface FloorRunResult {
  /** processedOn − (timestamp + delay) of each measured job, all read from this process's clock. */
  lagMs: number[];
  /** From the first add to the last add. */
  addMs: number;
  failed: number;
}

/**
 * Calls `fn(k)` for k = 0..count-1 at its slot in the spread, without waiting for the calls before
 * it: a slow call must not push every later one, which would thin out the timers coming due.
 */
async function spread<T>(args: SpreadArgs, fn: (k: number) => Promise<T>): Promise<{ results: PromiseSettledResult<T>[]; ms: number }> {
  const gap = args.spreadMs / args.count;
  const t0 = performance.now();
  const calls: Promise<T>[] = [];
  for (let k = 0; k < args.count; k++) {
    const wait = t0 + k * gap - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    calls.push(fn(k));
  }
  const results = await Promise.allSettled(calls);
  return { results, ms: performance.now() - t0 };
}

async function startBotSide(): Promise<Record<string, (args: any) => unknown>> {
  const env = process.env;
  // Built from scratch, not from process.env, so nothing stray changes the set-up.
  const config = loadConfig({
    DATABASE_URL: env.ESCALATION_DATABASE_URL,
    REDIS_URL: env.ESCALATION_REDIS_URL,
    QUEUE_PREFIX: env.ESCALATION_QUEUE_PREFIX,
    PORT: '0',
    LOG_LEVEL: 'silent',
    PLAYBOOKS_DIR: env.ESCALATION_RUNBOOKS_DIR,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: env.ESCALATION_SLACK_API_URL,
  });
  const runtime: Runtime = await startRuntime({ config, role: 'all', logger: pino({ level: 'silent' }) });
  const { deps } = runtime;
  let batch = 0;
  return {
    async declare(args: DeclareArgs): Promise<DeclareResult> {
      const b = ++batch;
      const { results, ms } = await spread(args, (k) =>
        declareIncident(deps, {
          runbook: env.ESCALATION_RUNBOOK!,
          summary: `escalation bench ${b}.${k + 1}`,
          actor: { id: args.actorId },
          platform: 'slack',
          workspace: null,
        }),
      );
      const ids: string[] = [];
      let failed = 0;
      let firstError: string | undefined;
      for (const r of results) {
        if (r.status === 'fulfilled') ids.push(r.value.snapshot.incident.id);
        else {
          failed++;
          firstError ??= (r.reason as Error).message;
        }
      }
      return { ids, ms, failed, firstError };
    },
    stop: () => runtime.stop(),
  };
}

async function startFloorSide(): Promise<Record<string, (args: any) => unknown>> {
  const url = process.env.ESCALATION_REDIS_URL!;
  const prefix = process.env.ESCALATION_QUEUE_PREFIX!;
  const producer = createRedis(url);
  const queue = new Queue(FLOOR_QUEUE, { connection: producer, prefix, defaultJobOptions: defaultJobOptions('escalations') });
  let waiting: { batch: string; lags: number[]; target: number; done: () => void } | null = null;
  let failed = 0;
  // The runtime's worker options for that queue; the job itself does nothing.
  const consumer = createRedis(url);
  const worker = new Worker(FLOOR_QUEUE, async () => undefined, { connection: consumer, prefix, ...workerOptions('escalations') });
  worker.on('completed', (job: Job) => {
    const w = waiting;
    if (!w || job.data?.batch !== w.batch) return;
    w.lags.push(job.processedOn! - (job.timestamp + (job.opts.delay ?? 0)));
    if (w.lags.length >= w.target) w.done();
  });
  worker.on('failed', () => failed++);
  await worker.waitUntilReady();
  let batch = 0;
  return {
    /** The pending timers: `count` no-op jobs due `delayMs` from now, added in bulk. */
    async pend(args: { count: number; delayMs: number }): Promise<number> {
      for (let from = 0; from < args.count; from += 1_000) {
        const n = Math.min(1_000, args.count - from);
        await queue.addBulk(
          Array.from({ length: n }, (_, i) => ({
            name: 'escalation.due',
            data: { batch: 'pending', k: from + i },
            opts: { jobId: `pending-${from + i}`, delay: args.delayMs },
          })),
        );
      }
      return queue.getDelayedCount();
    },
    /** `count` delayed jobs added one by one over the spread, each due `delayMs` after its add. */
    async run(args: FloorRunArgs): Promise<FloorRunResult> {
      const b = `floor-${++batch}`;
      const failedBefore = failed;
      const lags: number[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`floor: ${lags.length} of ${args.count} jobs ran within ${args.timeoutMs} ms`)), args.timeoutMs);
        waiting = { batch: b, lags, target: args.count, done: () => (clearTimeout(timer), resolve()) };
      });
      const { results, ms } = await spread(args, (k) => queue.add('escalation.due', { batch: b, k }, { jobId: `${b}-${k}`, delay: args.delayMs }));
      const refused = results.find((r) => r.status === 'rejected');
      if (refused) throw refused.reason;
      await done;
      waiting = null;
      return { lagMs: lags, addMs: ms, failed: failed - failedBefore };
    },
    async stop() {
      await worker.close();
      await queue.close();
      producer.disconnect();
      consumer.disconnect();
    },
  };
}

async function main(): Promise<void> {
  const handlers = process.env.ESCALATION_ROLE === 'floor' ? await startFloorSide() : await startBotSide();
  const loop = new LoopDelayWindows();
  serve({
    ...handlers,
    // CPU time this process used, so the parent can tell a busy event loop from a waiting one.
    cpu: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    },
    loopStart: (kind: string) => loop.start(kind),
    loopStop: (kind: string) => loop.stop(kind),
  });
  emit('ready');
}

main().catch(failStart);
