import { rmSync } from 'node:fs';
import { jobIdFor } from '../../src/jobs/kinds';
import { quickLadderDir, seedWorkspace } from '../support/escalation-fixtures';
import { startHarness, type Harness } from '../support/harness';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { until } from '../support/wait';

const ALICE = 'UALICE01';
const LADDER = [
  { after: '3s', notify: ['@oncall-documents'] },
  { after: '8s', notify: ['@oncall-documents'] },
  { after: '15s', notify: ['@oncall-documents'] },
];
const AFTER_MS = [3_000, 8_000, 15_000];
// A behaviour bound, not a speed goal: "overdue fires now" means seconds late, not a sweep's half minute.
const SLACK_MS = 10_000;

/**
 * Redis restarts empty twice while the ladder climbs: once with level 1 waiting in it, once with
 * level 2. The relay runs with production settings. Each level still fires at its own time after
 * the declaration, within seconds, whatever happened to the level before it.
 */
describe('Redis restarted empty while escalation levels were pending', () => {
  let redis: RedisServer;
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    dir = quickLadderDir(LADDER);
    h = await startHarness({ runbooksDir: dir, redisUrl: redis.url });
    seedWorkspace(h.slack);
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
    await redis?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const levels = async (id: string) =>
    (
      await h.schema.pool.query<{ level: number; late_ms: number }>(
        `SELECT e.level, (extract(epoch FROM e.escalated_at - i.declared_at) * 1000)::int AS late_ms
         FROM escalations e JOIN incidents i ON i.id = e.incident_id WHERE e.incident_id = $1 ORDER BY e.level`,
        [id],
      )
    ).rows;

  async function restartEmpty(): Promise<void> {
    const port = redis.port;
    await redis.kill('SIGKILL');
    redis = await startRedisServer({ port });
  }

  async function pendingInRedis(id: string, level: number): Promise<void> {
    const jobId = jobIdFor(`${id}:escalation:${level}:due`);
    await until(async () => (await h.runtime.queues.queues.escalations.getJobState(jobId)) === 'delayed', `level ${level} waiting in Redis`, 10_000);
  }

  it('fires every level at its own time after the declare, seconds late at most', async () => {
    const res = await h.command('pdf-404 ladder through a redis restart', ALICE);
    const number = Number(/^INC-(\d+) declared/.exec(res.body.text)?.[1]);
    const id = await until(
      async () => (await h.schema.pool.query('SELECT id FROM incidents WHERE number = $1 AND channel_id IS NOT NULL', [number])).rows[0]?.id as string,
      `INC-${number}'s channel`,
      10_000,
    );

    await pendingInRedis(id, 1);
    await restartEmpty();
    await until(async () => (await levels(id)).length >= 1, 'level 1 to fire', AFTER_MS[0]! + SLACK_MS + 5_000);
    await pendingInRedis(id, 2);
    await restartEmpty();
    const fired = await until(async () => ((await levels(id)).length === 3 ? levels(id) : null), 'level 3 to fire', AFTER_MS[2]! + SLACK_MS + 5_000);

    // Each level at or after its own time since the declare, and not a sweep period later.
    expect(fired.map((l) => l.level)).toEqual([1, 2, 3]);
    if (process.env.MEASURE) console.log(fired.map((l, i) => `level ${l.level}: due ${AFTER_MS[i]} ms, fired ${l.late_ms} ms after the declare`).join('\n'));
    for (const [i, l] of fired.entries()) {
      expect(l.late_ms).toBeGreaterThanOrEqual(AFTER_MS[i]!);
      expect(l.late_ms).toBeLessThan(AFTER_MS[i]! + SLACK_MS);
    }
  }, 60_000);
});
