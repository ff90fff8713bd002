import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Traffic } from '../../src/http/traffic';
import { AcksFirst } from '../../src/jobs/acks-first';
import { createRedis, JobQueues } from '../../src/jobs/queues';
import { createWorkers, type Handlers } from '../../src/jobs/workers';
import { createLogger } from '../../src/util/logger';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis';
import { until } from '../support/wait';

/**
 * Jobs in the process that answers requests: acks go first, but a click's render is never parked
 * behind the requests in flight, nor behind the background work they hold back.
 */
describe('acks first, renders not parked (real BullMQ workers)', () => {
  const prefix = uniquePrefix();
  const connections: Redis[] = [];
  const connection = () => {
    const c = createRedis(TEST_REDIS_URL);
    connections.push(c);
    return c;
  };
  let queues: JobQueues;
  let workers: Worker[] = [];
  const started: string[] = [];
  let release: () => void = () => undefined;
  let blocked: Promise<void>;

  const incidentId = randomUUID();
  const handlers: Handlers = {
    // A long background job: a pager that does not answer until the test lets it.
    'webhook.call': async (p) => {
      started.push(`webhook ${p.webhook}`);
      await blocked;
    },
    'escalation.due': async (p) => void started.push(`escalation ${p.level}`),
    'chat.render': async () => void started.push('render'),
  };

  beforeEach(() => {
    started.length = 0;
    blocked = new Promise((r) => (release = r));
  });
  afterEach(async () => {
    release();
    await Promise.all(workers.map((w) => w.close()));
    workers = [];
  });
  beforeAll(() => {
    queues = new JobQueues(connection(), prefix);
  });
  afterAll(async () => {
    await queues.close();
    connections.forEach((c) => c.disconnect());
    await dropPrefix(prefix);
  });

  const start = (traffic: Traffic) => {
    // A wait for quiet far longer than the test: whatever starts here started for its own reason.
    const gate = new AcksFirst(traffic, 1, 60_000);
    workers = createWorkers(connection, prefix, handlers, createLogger('silent'), { beforeJob: (kind) => gate.enter(kind) });
  };
  let n = 0;
  const add = (kind: string, payload: Record<string, unknown>) => queues.add([{ kind, payload, dedupeKey: `acks-first:${++n}`, delayMs: 0 }]);

  it("runs a click's render at once while a request is in flight and a long background job holds the budget", async () => {
    const traffic = new Traffic();
    traffic.started(); // a request being answered, for the whole test
    start(traffic);
    await add('webhook.call', { incidentId, webhook: 'slow', action: 'trigger', level: 1 });
    await until(async () => started.includes('webhook slow'), 'the long background job to start', 10_000);
    await add('escalation.due', { incidentId, level: 2 });
    await add('chat.render', { incidentId, platform: 'slack' });

    await until(async () => started.includes('render'), 'the render', 10_000);
    // The other background job waits its turn: the budget is taken and acks go first.
    expect(started).not.toContain('escalation 2');

    traffic.finished(); // quiet: what waited goes
    await until(async () => started.includes('escalation 2'), 'the held background job, once quiet', 10_000);
    release();
  });

  it('under requests that never stop, lets held jobs past the budget one at a time, never all at once', async () => {
    const traffic = new Traffic();
    traffic.started(); // a burst that does not end while the jobs wait
    const gate = new AcksFirst(traffic, 1, 100);
    let running = 0;
    let most = 0;
    const finishers: Array<() => void> = [];
    const job = async () => {
      const leave = await gate.enter('chat.provision');
      most = Math.max(most, ++running);
      await new Promise<void>((r) => finishers.push(r));
      running--;
      leave();
    };
    const jobs = Array.from({ length: 6 }, job);
    await until(async () => running === 1, 'the first job, within the budget', 1_000);
    // Each waited past 100 ms; only one of them goes past the budget.
    await new Promise((r) => setTimeout(r, 400));
    expect(running).toBe(2);
    finishers.shift()!(); // a job ends: the next in line takes its place
    await until(async () => running === 2 && finishers.length === 2, 'the next waiter to start', 1_000);
    traffic.finished(); // quiet, once the last answer is 30 ms old: everything held goes
    await until(async () => running === 5, 'every held job, once quiet', 1_000);
    expect(most).toBe(5);
    finishers.splice(0).forEach((f) => f());
    await Promise.all(jobs);
  });

  it('puts the incident a declare recorded, its setup and its pages ahead of probes in line', async () => {
    const traffic = new Traffic();
    traffic.started();
    const gate = new AcksFirst(traffic, 1, 60_000);
    const order: string[] = [];
    const leaveFirst = await gate.enter('probe.runs'); // holds the budget
    const waiting = ['probe.runs', 'chat.notice', 'incident.declare', 'chat.escalate'].map(async (kind) => {
      const leave = await gate.enter(kind);
      order.push(kind);
      leave();
    });
    leaveFirst();
    await Promise.all(waiting);
    expect(order).toEqual(['incident.declare', 'chat.escalate', 'probe.runs', 'chat.notice']);
    traffic.finished();
  });

  it('runs background jobs side by side when no request is in flight', async () => {
    start(new Traffic());
    await add('webhook.call', { incidentId, webhook: 'a', action: 'trigger', level: 1 });
    await add('webhook.call', { incidentId, webhook: 'b', action: 'trigger', level: 1 });
    await until(async () => started.includes('webhook a') && started.includes('webhook b'), 'both background jobs to run at once', 10_000);
    release();
  });
});
