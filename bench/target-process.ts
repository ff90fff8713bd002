/**
 * One server under test, in its own process: the floor (BENCH_TARGET=floor), the durable floor
 * (BENCH_TARGET=durable: a committed insert before each command's ack) or the bot (BENCH_TARGET=bot). Both run in the same kind of process so neither gets an easier event loop,
 * and each measures its own event-loop delay while the parent says a measured window is open.
 */
import { startBot } from './bot-app';
import { startFloor } from './floor-app';
import { emit, failStart, serve } from './ipc';
import { LoopDelayWindows } from './loop-delay';

async function main(): Promise<void> {
  const apiUrl = process.env.BENCH_SLACK_API_URL!;
  const target = process.env.BENCH_TARGET;
  // durable: the floor that commits one row to Postgres (BENCH_DATABASE_URL) before each ack.
  const floor = target === 'floor' || target === 'durable' ? await startFloor(apiUrl, target === 'durable' ? process.env.BENCH_DATABASE_URL : undefined) : null;
  const server =
    floor ??
    (await startBot({
      databaseUrl: process.env.BENCH_DATABASE_URL!,
      redisUrl: process.env.BENCH_REDIS_URL!,
      queuePrefix: process.env.BENCH_QUEUE_PREFIX!,
      slackApiUrl: apiUrl,
      alertsToken: process.env.BENCH_ALERTS_TOKEN,
    }));
  const loop = new LoopDelayWindows();
  serve({
    seed: (count: number) => {
      if (!floor) throw new Error('only the floor seeds its own checklists');
      return floor.seed(count);
    },
    loopStart: (kind: string) => loop.start(kind),
    loopStop: (kind: string) => loop.stop(kind),
    loopRead: (kind: string) => loop.pooled(kind),
    stop: () => server.stop(),
  });
  emit('ready', { eventsUrl: server.eventsUrl, baseUrl: 'baseUrl' in server ? server.baseUrl : null });
}

main().catch(failStart);
