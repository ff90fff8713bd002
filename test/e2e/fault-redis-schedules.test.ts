import IORedis from 'ioredis';
import { DIGEST_SCHEDULER_ID } from '../../src/jobs/digest-schedule';
import { REMINDER_SCHEDULER_ID } from '../../src/jobs/reminder-schedule';
import { startHarness, type Harness } from '../support/harness';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { until } from '../support/wait';

const DIGEST_CHANNEL = 'CDIGEST01';
// Production re-asserts every minute; the test cannot wait that long to see the period work.
const SWEEPS = { schedulesEveryMs: 1_000 };

interface Ready {
  status: number;
  checks: Record<string, string>;
}

/**
 * The weekly digest and the daily reminders are Job Schedulers, kept only in Redis. A Redis that
 * comes back empty must get them back from the running bot, not at its next start, and /readyz
 * says they are missing meanwhile.
 */
describe('Redis restarted empty: the digest and reminder schedules come back', () => {
  let redis: RedisServer;
  let h: Harness;

  beforeAll(async () => {
    redis = await startRedisServer();
    // Production settings: only the reconnect can bring the schedules back within the test.
    h = await startHarness({ redisUrl: redis.url, env: { DIGEST_SLACK_CHANNEL: DIGEST_CHANNEL } });
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
    await redis?.kill('SIGKILL');
  }, 30_000);

  const schedulers = async () => (await h.runtime.queues.queues.schedules.getJobSchedulers()).map((s) => s.key).sort();
  const expected = [DIGEST_SCHEDULER_ID, REMINDER_SCHEDULER_ID].sort();

  async function readyz(of = h): Promise<Ready> {
    const res = await fetch(`${of.baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, checks: ((await res.json()) as { checks: Record<string, string> }).checks };
  }

  it('puts them back within seconds of a restart, without a bot restart', async () => {
    expect(await schedulers()).toEqual(expected);
    expect((await readyz()).checks.schedules).toBe('ok');

    const port = redis.port;
    await redis.kill('SIGKILL');
    // Meanwhile the schedules are not ok, and the process says so.
    expect((await readyz()).checks.schedules).toMatch(/^down: /);
    redis = await startRedisServer({ port });

    await until(async () => ((await schedulers()).length === 2 ? true : null), 'both schedulers back', 10_000);
    expect(await schedulers()).toEqual(expected);
    await until(async () => ((await readyz()).checks.schedules === 'ok' ? true : null), '/readyz to say the schedules are back', 10_000);
  }, 40_000);

  it('says which one is missing when Redis lost them under a live connection, and puts them back on its period', async () => {
    const worker = await startHarness({ role: 'worker', share: h, redisUrl: redis.url, env: { DIGEST_SLACK_CHANNEL: DIGEST_CHANNEL }, sweeps: SWEEPS });
    try {
      await expectHealedOnPeriod(worker);
    } finally {
      await worker.stop();
    }
  }, 40_000);

  async function expectHealedOnPeriod(worker: Harness): Promise<void> {
    const admin = new IORedis(redis.url);
    try {
      await admin.flushall();
    } finally {
      admin.disconnect();
    }
    const gap = await readyz(worker);
    // Reported, not a 503: the process heals it itself, and taking it out of rotation would not.
    expect(gap.status).toBe(200);
    expect(gap.checks.schedules).toBe('down: reminder scheduler and digest scheduler missing; put back within a minute');

    await until(async () => ((await schedulers()).length === 2 ? true : null), 'both schedulers back', 10_000);
    // Re-asserting is idempotent: each scheduler holds one next run, however often it was upserted.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await schedulers()).toEqual(expected);
    expect(await h.runtime.queues.queues.schedules.getDelayedCount()).toBe(2);
    expect((await readyz(worker)).checks.schedules).toBe('ok');
  }
});
