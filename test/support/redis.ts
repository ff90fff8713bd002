import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(): string {
  return `test-${randomBytes(6).toString('hex')}`;
}

/** Deletes every key under the prefix, so a test leaves nothing behind in Redis. */
export async function dropPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  // Bounded: the Redis of a fault test may be hung or gone; cleanup must not wait on it forever.
  const redis = new IORedis(url, { maxRetriesPerRequest: 1, commandTimeout: 2_000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
