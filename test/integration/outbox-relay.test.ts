import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { OutboxRelay } from '../../src/jobs/outbox-relay';
import { QUEUE_NAME } from '../../src/jobs/queue';
import { createLogger } from '../../src/logger';
import { freshSchema, type TestSchema } from '../support/db';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis';

describe('outbox relay', () => {
  let schema: TestSchema;
  let prefix: string;
  let redis: IORedis;
  let queue: Queue;

  beforeAll(async () => {
    schema = await freshSchema();
    prefix = uniquePrefix();
    redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUE_NAME, { connection: redis, prefix });
  });
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await schema.drop();
    await dropPrefix(prefix);
  });

  it('moves committed jobs to BullMQ once, even when relayed again, and keeps their delay', async () => {
    await schema.pool.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, run_at) VALUES
         ('chat.render', '{"incidentId":"a"}', 'k1', now()),
         ('chat.render', '{"incidentId":"b"}', 'k2', now() + interval '1 hour')`,
    );
    const relay = new OutboxRelay(schema.pool, queue, createLogger('silent'));
    expect(await relay.relayOnce()).toBe(2);
    expect(await relay.relayOnce()).toBe(0);

    // Simulate a crash between enqueue and marking: the same rows relayed again are the same jobs.
    await schema.pool.query('UPDATE outbox SET relayed_at = NULL');
    expect(await relay.relayOnce()).toBe(2);

    const counts = await queue.getJobCounts('waiting', 'delayed');
    expect(counts).toEqual({ waiting: 1, delayed: 1 });
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`${prefix}:${QUEUE_NAME}:`))).toBe(true);
  });

  it('keeps jobs in the outbox while Redis does not answer, and relays them once it does', async () => {
    await schema.pool.query(`INSERT INTO outbox (kind, payload, dedupe_key, run_at) VALUES ('chat.render', '{}', 'k3', now())`);
    // A Redis that accepts connections and never answers: the worst case, a hung server.
    const sockets = new Set<Socket>();
    const blackhole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const hung = new IORedis((blackhole.address() as AddressInfo).port, '127.0.0.1', { maxRetriesPerRequest: null, retryStrategy: () => null });
    hung.on('error', () => undefined);
    try {
      const relay = new OutboxRelay(schema.pool, new Queue(QUEUE_NAME, { connection: hung, prefix }), createLogger('silent'), 1_000, 300);
      await expect(relay.relayOnce()).rejects.toThrow(/Redis did not answer within 300 ms/);
    } finally {
      hung.disconnect();
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => blackhole.close(r));
    }
    const pending = await schema.pool.query(`SELECT id, relayed_at FROM outbox WHERE dedupe_key = 'k3'`);
    expect(pending.rows[0].relayed_at).toBeNull();

    expect(await new OutboxRelay(schema.pool, queue, createLogger('silent')).relayOnce()).toBe(1);
    expect(await queue.getJob(`outbox-${pending.rows[0].id}`)).toBeDefined();
  });

  it('prunes rows relayed more than a week ago and keeps the rest', async () => {
    await schema.pool.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, run_at, relayed_at) VALUES
         ('chat.render', '{}', 'old', now(), now() - interval '8 days'),
         ('chat.render', '{}', 'recent', now(), now() - interval '6 days')`,
    );
    const relay = new OutboxRelay(schema.pool, queue, createLogger('silent'));
    expect(await relay.prune()).toBe(1);
    const { rows } = await schema.pool.query(`SELECT dedupe_key FROM outbox WHERE dedupe_key IN ('old', 'recent')`);
    expect(rows).toEqual([{ dedupe_key: 'recent' }]);
  });
});
