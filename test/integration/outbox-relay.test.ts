import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { OutboxRelay } from '../../src/jobs/outbox-relay';
import { JobQueues } from '../../src/jobs/queues';
import { createLogger } from '../../src/util/logger';
import { PgOutbox } from '../../src/store/outbox';
import { freshSchema, type TestSchema } from '../support/db';
import { freshQueues, type TestQueues } from '../support/queues';
import { TEST_REDIS_URL } from '../support/redis';

describe('outbox relay', () => {
  let schema: TestSchema;
  let redisSide: TestQueues;
  let prefix: string;
  let redis: IORedis;
  let queues: JobQueues;
  const clock = { now: () => new Date() };
  const relayTo = (q: JobQueues, ...rest: [number?, number?]) => new OutboxRelay(new PgOutbox(schema.pool), q, clock, createLogger('silent'), ...rest);

  beforeAll(async () => {
    schema = await freshSchema();
    redisSide = freshQueues();
    ({ prefix, redis, queues } = redisSide);
  });
  afterAll(async () => {
    await redisSide.drop();
    await schema.drop();
  });

  it('moves committed jobs to BullMQ once, even when relayed again, and keeps their delay', async () => {
    await schema.pool.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, run_at) VALUES
         ('chat.render', '{"incidentId":"a"}', 'a:render:v2', now() - interval '1 second'),
         ('chat.provision', '{"incidentId":"b"}', 'b:provision:2', now() + interval '1 hour')`,
    );
    const relay = relayTo(queues);
    expect(await relay.relayOnce()).toBe(2);
    expect(await relay.relayOnce()).toBe(0);

    // Simulate a crash between enqueue and marking: the same rows relayed again are the same jobs.
    await schema.pool.query('UPDATE outbox SET relayed_at = NULL');
    expect(await relay.relayOnce()).toBe(2);

    const counts = await queues.queues.chat.getJobCounts('waiting', 'delayed');
    expect(counts).toEqual({ waiting: 1, delayed: 1 });
    // The job id is the dedupe key, so a pending delayed job can be found, and removed, by key.
    // The job carries its row's key, so the worker can mark the row done when it finishes.
    expect((await queues.queues.chat.getJob('b.provision.2'))?.data).toEqual({ incidentId: 'b', __outbox: 'b:provision:2' });
    expect(await queues.remove('chat.provision', 'b:provision:2')).toBe(true);
    expect(await queues.remove('chat.provision', 'b:provision:2')).toBe(false);
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => !/^[^:]+:(chat|probes|escalations|webhooks|schedules):/.test(k))).toEqual([]);
    expect(keys.filter((k) => k.startsWith(`${prefix}:chat:`)).length).toBeGreaterThan(0);
  });

  it('delays a job from the injected clock, not the machine clock', async () => {
    await schema.pool.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, run_at) VALUES ('chat.provision', '{"incidentId":"c"}', 'c:provision:2', '2030-01-01T00:10:00Z')`,
    );
    const frozen = { now: () => new Date('2030-01-01T00:00:00Z') };
    expect(await new OutboxRelay(new PgOutbox(schema.pool), queues, frozen, createLogger('silent')).relayOnce()).toBe(1);
    expect((await queues.queues.chat.getJob('c.provision.2'))?.opts.delay).toBe(600_000);
  });

  it('holds a paced render until it is due, then sends one for every row due by then', async () => {
    // Three probe results' renders, paced to the same moment, as recordProbeResult schedules them.
    await schema.pool.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, run_at)
       SELECT 'chat.render', '{"incidentId":"paced","platform":"slack"}', 'paced:render:run-' || n, '2031-01-01T00:00:01Z'
       FROM generate_series(1, 3) AS n`,
    );
    let now = new Date('2031-01-01T00:00:00.500Z');
    const relay = new OutboxRelay(new PgOutbox(schema.pool), queues, { now: () => now }, createLogger('silent'));
    expect(await relay.relayOnce()).toBe(0);
    expect(await queues.queues.chat.getJob('paced.render.run-3')).toBeUndefined();
    now = new Date('2031-01-01T00:00:01Z');
    expect(await relay.relayOnce()).toBe(3);
    expect((await queues.queues.chat.getJobs(['waiting', 'delayed'])).map((j) => j.id).filter((id) => id?.startsWith('paced'))).toEqual(['paced.render.run-3']);
    const { rows } = await schema.pool.query(`SELECT count(*)::int AS n FROM outbox WHERE dedupe_key LIKE 'paced:%' AND relayed_at IS NOT NULL`);
    expect(rows[0].n).toBe(3);
  });

  // Rows are written already due: Postgres keeps microseconds and Date milliseconds, so a row
  // written "now" can be a fraction of a millisecond later than the relay's clock a moment after.
  it('sends one render for a burst of changes to one incident, and marks every row relayed', async () => {
    await schema.pool.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, run_at)
       SELECT 'chat.render', jsonb_build_object('incidentId', 'burst', 'platform', 'slack', 'version', v), 'burst:render:v' || v, now() - interval '1 second'
       FROM generate_series(2, 21) AS v`,
    );
    expect(await relayTo(queues).relayOnce()).toBe(20);
    const jobs = await queues.queues.chat.getJobs(['waiting']);
    expect(jobs.filter((j) => j.data.incidentId === 'burst').map((j) => j.id)).toEqual(['burst.render.v21']);
    const { rows } = await schema.pool.query(`SELECT count(*)::int AS n FROM outbox WHERE dedupe_key LIKE 'burst:%' AND relayed_at IS NULL`);
    expect(rows[0].n).toBe(0);
  });

  it('keeps jobs in the outbox while Redis does not answer, and relays them once it does', async () => {
    await schema.pool.query(`INSERT INTO outbox (kind, payload, dedupe_key, run_at) VALUES ('chat.render', '{}', 'k3', now() - interval '1 second')`);
    // A Redis that accepts connections and never answers: the worst case, a hung server.
    const sockets = new Set<Socket>();
    const blackhole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const hung = new IORedis((blackhole.address() as AddressInfo).port, '127.0.0.1', { maxRetriesPerRequest: null, retryStrategy: () => null });
    hung.on('error', () => undefined);
    try {
      const relay = relayTo(new JobQueues(hung, prefix), 1_000, 300);
      await expect(relay.relayOnce()).rejects.toThrow(/Redis did not answer within 300 ms/);
    } finally {
      hung.disconnect();
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => blackhole.close(r));
    }
    const pending = await schema.pool.query(`SELECT id, relayed_at FROM outbox WHERE dedupe_key = 'k3'`);
    expect(pending.rows[0].relayed_at).toBeNull();

    expect(await relayTo(queues).relayOnce()).toBe(1);
    expect(await queues.queues.chat.getJob('k3')).toBeDefined();
  });

  it('prunes rows done more than a week ago and keeps the rest', async () => {
    await schema.pool.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, run_at, relayed_at, done_at) VALUES
         ('chat.render', '{}', 'old', now(), now() - interval '8 days', now() - interval '8 days'),
         ('chat.render', '{}', 'recent', now(), now() - interval '6 days', now() - interval '6 days'),
         ('chat.render', '{}', 'unfinished', now(), now() - interval '8 days', NULL)`,
    );
    const relay = relayTo(queues);
    expect(await relay.prune()).toBe(1);
    const { rows } = await schema.pool.query(`SELECT dedupe_key FROM outbox WHERE dedupe_key IN ('old', 'recent', 'unfinished') ORDER BY id`);
    expect(rows).toEqual([{ dedupe_key: 'recent' }, { dedupe_key: 'unfinished' }]);
  });

  it('finds a lost job behind thousands of timers still waiting: each sweep goes on where the last stopped', async () => {
    await schema.pool.query('DELETE FROM outbox');
    // Five escalation timers due in an hour; Redis lost only the last one.
    await schema.pool.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, run_at)
       SELECT 'escalation.due', jsonb_build_object('incidentId', 'timer-' || n, 'level', 1), 'timer-' || n || ':escalation:1:due', now() + interval '1 hour'
       FROM generate_series(1, 5) AS n`,
    );
    const relay = new OutboxRelay(new PgOutbox(schema.pool), queues, clock, createLogger('silent'), 1_000, 5_000, 0);
    expect(await relay.relayOnce()).toBe(5);
    await queues.queues.escalations.remove('timer-5.escalation.1.due');
    await schema.pool.query(`UPDATE outbox SET relayed_at = now() - interval '1 minute'`);
    // Two at a time: the first sweep sees timers 1-2, the second 3-4, the third finds 5 gone.
    expect(await relay.sweepVanished(2)).toBe(0);
    expect(await relay.sweepVanished(2)).toBe(0);
    expect(await relay.sweepVanished(2)).toBe(1);

    // A lost job already past its time is looked at first, however many others wait before it.
    await schema.pool.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, run_at, relayed_at)
       VALUES ('escalation.due', '{"incidentId":"overdue","level":1}', 'overdue:escalation:1:due', now() - interval '1 minute', now() - interval '1 minute')`,
    );
    expect(await relay.sweepVanished(2)).toBe(1);
    await relay.stop();
    await schema.pool.query('DELETE FROM outbox');
  });

  it('queues again a relayed job that Redis lost, and marks done one that finished unrecorded', async () => {
    await schema.pool.query('DELETE FROM outbox'); // rows of the tests above, whose jobs they removed
    await schema.pool.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, run_at) VALUES
         ('chat.render', '{"incidentId":"lost"}', 'lost:render:v2', now()),
         ('chat.render', '{"incidentId":"fine"}', 'fine:render:v2', now())`,
    );
    const relay = new OutboxRelay(new PgOutbox(schema.pool), queues, clock, createLogger('silent'), 1_000, 5_000, 0);
    await relay.relayOnce();
    // Redis restarted empty for one job; the other finished but its worker died before saying so.
    await queues.queues.chat.remove('lost.render.v2');
    const worker = new Worker('chat', async () => undefined, { connection: new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null }), prefix });
    await new Promise<void>((resolve) => worker.on('completed', (job) => job.id === 'fine.render.v2' && resolve()));
    await worker.close();
    await worker.disconnect();
    await schema.pool.query(`UPDATE outbox SET relayed_at = now() - interval '1 minute' WHERE dedupe_key IN ('lost:render:v2', 'fine:render:v2')`);

    expect(await relay.sweepVanished()).toBe(1);
    // The sweep hands the lost row back to the relay, which queues it again straight away.
    for (let i = 0; i < 50 && !(await queues.queues.chat.getJob('lost.render.v2')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await queues.queues.chat.getJob('lost.render.v2')).toBeDefined();
    await relay.stop();
    const { rows } = await schema.pool.query(
      `SELECT dedupe_key, done_at IS NOT NULL AS done FROM outbox WHERE dedupe_key IN ('lost:render:v2', 'fine:render:v2') ORDER BY id`,
    );
    expect(rows).toEqual([
      { dedupe_key: 'lost:render:v2', done: false },
      { dedupe_key: 'fine:render:v2', done: true },
    ]);
  });

  it('marks a row done when its job reports it finished, once', async () => {
    await schema.pool.query(`INSERT INTO outbox (kind, payload, dedupe_key, run_at, relayed_at) VALUES ('chat.render', '{}', 'done-me', now(), now())`);
    const relay = relayTo(queues);
    await relay.markDone('done-me');
    const first = await schema.pool.query(`SELECT done_at FROM outbox WHERE dedupe_key = 'done-me'`);
    await relay.markDone('done-me');
    const second = await schema.pool.query(`SELECT done_at FROM outbox WHERE dedupe_key = 'done-me'`);
    expect(first.rows[0].done_at).toBeInstanceOf(Date);
    expect(second.rows[0].done_at).toEqual(first.rows[0].done_at);
  });
});
