import { performance } from 'node:perf_hooks';
import { Queue, Worker, type Processor } from 'bullmq';
import IORedis from 'ioredis';
import { ProbeNetworkError } from '../../src/probes/outcome';
import { QueueProber, type QueueProbeDef } from '../../src/probes/queue-probe';
import { freePort } from '../support/bot-process';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis';
import { TcpProxy } from '../support/tcp-proxy';

const QUEUE = 'pdf-render';

function probe(overrides: Partial<QueueProbeDef> = {}): QueueProbeDef {
  return { id: 'pdf-queue', title: 'PDF render queue', queue: QUEUE, max_waiting: 10, max_failed: 5, ...overrides };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Connections the prober opened, as Redis itself sees them. */
async function probeConnections(redis: IORedis): Promise<number> {
  const list = (await redis.client('LIST')) as string;
  return list.split('\n').filter((line) => / name=incident-bot:queue-probe /.test(line)).length;
}

describe('queue probe', () => {
  let prefix: string;
  let redis: IORedis;
  let queue: Queue;
  const workers: Worker[] = [];
  const probers: QueueProber[] = [];
  const proxies: TcpProxy[] = [];

  const prober = (opts?: ConstructorParameters<typeof QueueProber>[1], url = TEST_REDIS_URL) => {
    const p = new QueueProber({ redisUrl: url, prefix }, opts);
    probers.push(p);
    return p;
  };

  /** A real BullMQ worker, connected; with no processor it stays idle, so added jobs stay waiting. */
  const connectWorker = async (processor?: Processor) => {
    const worker = new Worker(QUEUE, processor ?? (async () => undefined), { connection: redis, prefix, autorun: processor !== undefined });
    worker.on('error', () => undefined);
    workers.push(worker);
    await worker.waitUntilReady();
    return worker;
  };

  beforeEach(() => {
    prefix = uniquePrefix();
    redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUE, { connection: redis, prefix });
  });

  afterEach(async () => {
    await Promise.all(probers.splice(0).map((p) => p.close()));
    await Promise.all(workers.splice(0).map((w) => w.close(true)));
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
    await queue.close();
    redis.disconnect();
    await dropPrefix(prefix);
  });

  it('passes a healthy queue and names its counts, workers and oldest job in one line', async () => {
    await connectWorker();
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'render', data: { n } })));

    const outcome = await prober().run(probe());

    expect(outcome.status).toBe('pass');
    expect(outcome.reason).toMatch(/^pdf-render: 3 waiting, 0 failed, 1 worker, oldest \d+ s$/);
    expect(outcome.detail).toMatchObject({ queue: QUEUE, waiting: 3, active: 0, failed: 0, delayed: 0, workers: 1 });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('fails when more jobs wait than the runbook allows, naming the limit', async () => {
    await connectWorker();
    await queue.addBulk(Array.from({ length: 12 }, (_, n) => ({ name: 'render', data: { n } })));

    const outcome = await prober().run(probe({ max_waiting: 10 }));

    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toBe('pdf-render: 12 waiting (max 10), 1 worker');
  });

  it('fails when more jobs have failed than the runbook allows', async () => {
    const failed = new Set<string>();
    const worker = await connectWorker(async () => {
      throw new Error('renderer crashed');
    });
    worker.on('failed', (job) => job?.id && failed.add(job.id));
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'render', data: { n }, opts: { attempts: 1 } })));
    await until(async () => failed.size === 3, 'three failed jobs');

    const outcome = await prober().run(probe({ max_failed: 1 }));

    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toBe('pdf-render: 3 failed (max 1), 1 worker');
    expect(outcome.detail).toMatchObject({ failed: 3, waiting: 0 });
  });

  it('fails with "no worker connected" when jobs wait and no worker listens', async () => {
    await queue.add('render', {});

    const outcome = await prober().run(probe());

    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toBe('pdf-render: no worker connected, 1 waiting');
    expect(outcome.detail).toMatchObject({ workers: 0 });
  });

  it('fails when fewer workers are connected than min_workers asks for', async () => {
    await connectWorker();

    const outcome = await prober().run(probe({ min_workers: 2 }));

    expect(outcome).toMatchObject({ status: 'fail', reason: 'pdf-render: 1 worker (min 2)' });
  });

  it('reads a queue that never existed as empty with no worker, and writes nothing to Redis', async () => {
    const outcome = await prober().run(probe({ queue: 'never-created' }));

    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toBe('never-created: no worker connected');
    expect(outcome.detail).toMatchObject({ waiting: 0, active: 0, failed: 0, delayed: 0, workers: 0, oldestWaitingMs: null });
    expect(await redis.keys(`${prefix}:never-created:*`)).toEqual([]);
  });

  it('fails when the job added first has waited longer than max_oldest_waiting', async () => {
    await connectWorker();
    // The first job added is the next one a worker would take; later ones do not count.
    await queue.add('render', { n: 1 }, { timestamp: Date.now() - 9 * 60_000 });
    await queue.add('render', { n: 2 });

    const outcome = await prober().run(probe({ max_oldest_waiting: '5m' }));

    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toBe('pdf-render: oldest waiting 9 min (max 5m), 1 worker');
    expect(outcome.detail.oldestWaitingMs).toBeGreaterThanOrEqual(9 * 60_000);
  });

  it('ages the oldest waiting job by the injected clock', async () => {
    await connectWorker();
    await queue.add('render', {});
    let clock = Date.now();
    const p = prober({ now: () => clock });

    expect(await p.run(probe({ max_oldest_waiting: '5m' }))).toMatchObject({ status: 'pass' });
    clock += 6 * 60_000;
    expect(await p.run(probe({ max_oldest_waiting: '5m' }))).toMatchObject({
      status: 'fail',
      reason: 'pdf-render: oldest waiting 6 min (max 5m), 1 worker',
    });
  });

  it('says when the queue is paused, since workers then look healthy while jobs pile up', async () => {
    await connectWorker();
    await queue.add('render', {});
    await queue.pause();

    expect(await prober().run(probe())).toMatchObject({ status: 'pass', reason: expect.stringMatching(/, queue paused$/) });
  });

  it('reports a runbook mistake as an error, not as a failing queue', async () => {
    const p = prober();

    expect(await p.run(probe({ max_oldest_waiting: '5 minutes' }))).toMatchObject({
      status: 'error',
      reason: 'pdf-render: max_oldest_waiting "5 minutes" is not a duration such as 90s, 5m or 1h',
    });
    expect(await p.run(probe({ queue: 'pdf:render' }))).toMatchObject({ status: 'error', reason: expect.stringContaining("cannot contain ':'") });
  });

  it('throws ProbeNetworkError, without the URL password, when nothing listens on the Redis port', async () => {
    const port = await freePort();
    const p = prober({ timeoutMs: 2_000 }, `redis://:hunter2-secret@127.0.0.1:${port}`);
    const started = performance.now();

    const err = await p.run(probe()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ProbeNetworkError);
    expect((err as ProbeNetworkError).message).toBe(`pdf-render: Redis at 127.0.0.1:${port} unreachable (connect ECONNREFUSED 127.0.0.1:${port})`);
    expect(String((err as Error).stack)).not.toContain('hunter2-secret');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('throws ProbeNetworkError after the timeout when Redis accepts but never answers', async () => {
    const proxy = await new TcpProxy('127.0.0.1', new URL(TEST_REDIS_URL).port ? Number(new URL(TEST_REDIS_URL).port) : 6379).start();
    proxies.push(proxy);
    proxy.stall();
    const p = prober({ timeoutMs: 300 }, proxy.wrap(TEST_REDIS_URL));
    const started = performance.now();

    const err = await p.run(probe()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ProbeNetworkError);
    expect((err as ProbeNetworkError).message).toMatch(/unreachable \(no answer within 300 ms\)$/);
    expect((err as ProbeNetworkError).durationMs).toBeGreaterThanOrEqual(290);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('reuses one connection across runs, dials again after it is cut, and leaves none open after close()', async () => {
    const proxy = await new TcpProxy('127.0.0.1', Number(new URL(TEST_REDIS_URL).port || 6379)).start();
    proxies.push(proxy);
    await connectWorker();
    const p = prober({}, proxy.wrap(TEST_REDIS_URL));

    await p.run(probe());
    await p.run(probe({ queue: 'other-queue' }));
    expect(await probeConnections(redis)).toBe(1);

    // Cut under it and probe at once: the run notices the dead connection and dials again.
    proxy.drop();
    expect(await p.run(probe())).toMatchObject({ status: 'pass' });
    await until(async () => (await probeConnections(redis)) === 1, 'only the new connection to remain');

    await p.close();
    await until(async () => (await probeConnections(redis)) === 0, 'the probe connection to close');
  });
});
