import IORedis from 'ioredis';
import { JobQueues } from '../../src/jobs/queues';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from './redis';

/** The bot's queues under a prefix of their own; `drop` closes them and deletes every key they made. */
export interface TestQueues {
  prefix: string;
  redis: IORedis;
  queues: JobQueues;
  drop(): Promise<void>;
}

export function freshQueues(): TestQueues {
  const prefix = uniquePrefix();
  const redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queues = new JobQueues(redis, prefix);
  return {
    prefix,
    redis,
    queues,
    async drop() {
      await queues.close();
      redis.disconnect();
      await dropPrefix(prefix);
    },
  };
}
