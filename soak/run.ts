/**
 * npm run soak: declares and step clicks against the real bot in its own process, killed with
 * SIGKILL at random moments and restarted at once, then the crash-safety invariants checked
 * against Postgres and the fake Slack. A measuring tool: it reports what breaks and exits 1 when
 * any invariant fails; it fixes nothing.
 *
 *   SOAK_OPS=1000 SOAK_KILLS=5 SOAK_CONCURRENCY=10 SOAK_DEADLINE_S=300 SOAK_QUIESCE_S=60
 *   SOAK_SEED=<n> (repeat an op mix and kill points) SOAK_SLACK_DELAY_MS=0 (slow the fake Web API)
 *   SOAK_BOT_LOG_LEVEL=warn  SOAK_KEEP_DATA=1 (keep the schema and Redis keys to inspect a FAIL)
 *
 * Processes: this one (load, checks), the fake Slack, and one bot at a time (role all).
 * Needs Postgres on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (TEST_DATABASE_URL / TEST_REDIS_URL).
 */
import path from 'node:path';
import { freshSchema, type TestSchema } from '../test/support/db';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../test/support/redis';
import { BotSupervisor } from './bot-supervisor';
import { FakeSlackProcess } from './fake-slack';
import { checkInvariants, gatherEvidence, type Check } from './invariants';
import { LoadGenerator } from './load';
import { seededRandom } from './random';
import { waitQuiescent, watchRecovery } from './recovery';
import { printChecks, printLoad, printRecovery, printState, writeEvidence } from './report';
import { BOT_TOKEN, SIGNING_SECRET } from './slack-requests';
import { readSettings, type Settings } from './settings';
import { World } from './world';

/** Cleanup steps, run once, newest first, each bounded so a hung one cannot keep us alive. */
class Cleanup {
  private steps: Array<{ name: string; run: () => Promise<unknown> }> = [];
  private running: Promise<void> | null = null;

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.unshift({ name, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((r) => (timer = setTimeout(() => r(console.error(`cleanup: ${step.name} took over 15 s; moving on`)), 15_000)));
        await Promise.race([step.run().catch((err: Error) => console.error(`cleanup: ${step.name} failed: ${err.message}`)), late]);
        clearTimeout(timer);
      }
    })();
    return this.running;
  }
}

/** Where the choice of kill moments lives: one random op in each of `kills` equal slices of the middle 90%. */
function killPoints(ops: number, kills: number, rng: () => number): Set<number> {
  const points = new Set<number>();
  const from = Math.floor(ops * 0.05);
  const width = (ops * 0.9) / Math.max(1, kills);
  for (let k = 0; k < kills; k++) points.add(Math.min(ops - 1, Math.floor(from + k * width + rng() * width)));
  return points;
}

function botEnv(schema: TestSchema, prefix: string, apiUrl: string, settings: Settings): Record<string, string> {
  return {
    DATABASE_URL: schema.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: settings.botLogLevel,
    PLAYBOOKS_DIR: path.resolve(__dirname, '../playbooks'),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
  };
}

async function main(): Promise<number> {
  const settings = readSettings();
  const started = Date.now();
  const deadlineAt = started + settings.deadlineS * 1000;
  const cleanup = new Cleanup();
  let load: LoadGenerator | null = null;
  let bot: BotSupervisor | null = null;

  let aborting = false;
  const abort = (why: string, code: number) => {
    if (aborting) return;
    aborting = true;
    console.error(`\nSoak stopped: ${why}`);
    if (load && bot) {
      console.error('Load so far:');
      printLoad(load, settings, bot);
    }
    void cleanup.run().finally(() => process.exit(code));
  };
  // Bounded whatever hangs: past the deadline the children are killed and everything cleaned up.
  const hardStop = setTimeout(() => abort(`it ran past SOAK_DEADLINE_S=${settings.deadlineS} s`, 1), settings.deadlineS * 1000);
  process.once('SIGINT', () => abort('interrupted (SIGINT)', 130));
  process.once('SIGTERM', () => abort('terminated (SIGTERM)', 143));
  process.on('uncaughtException', (err) => abort(`uncaught ${err.stack ?? err}`, 1));
  process.on('unhandledRejection', (err) => abort(`unhandled rejection ${(err as Error)?.stack ?? err}`, 1));

  console.log(
    `Soak: ${settings.ops} ops, ${settings.kills} kills, ${settings.concurrency} in flight, seed ${settings.seed}, ` +
      `deadline ${settings.deadlineS} s, Slack delay ${settings.slackDelayMs} ms, node ${process.version}`,
  );
  try {
    const schema = await freshSchema();
    const prefix = uniquePrefix();
    if (settings.keepData) {
      cleanup.add('keep the data', async () => {
        await schema.pool.end();
        console.log(`Kept schema ${schema.name} and Redis keys ${prefix}:* (SOAK_KEEP_DATA=1). Drop with: DROP SCHEMA ${schema.name} CASCADE`);
      });
    } else {
      cleanup.add(`drop schema ${schema.name}`, () => schema.drop());
      cleanup.add(`delete Redis keys ${prefix}:*`, () => dropPrefix(prefix));
    }
    const fake = await FakeSlackProcess.start(settings.slackDelayMs);
    cleanup.add('stop the fake Slack', () => fake.stop());
    bot = new BotSupervisor(botEnv(schema, prefix, fake.ready.apiUrl, settings));
    cleanup.add('kill the bot', () => bot!.stop());
    await bot.start();
    console.log(`Schema ${schema.name}, Redis prefix ${prefix}, bot ready on ${bot.eventsUrl} (gen 1).`);

    const world = new World(schema.pool, fake);
    cleanup.add('stop polling', async () => world.stop());
    watchRecovery(world, bot);
    world.start(300);
    const rng = seededRandom(settings.seed);
    const points = killPoints(settings.ops, settings.kills, rng);
    const liveLoad = new LoadGenerator(
      {
        ops: settings.ops,
        concurrency: settings.concurrency,
        killPoints: points,
        respondBase: fake.ready.respondBase,
        rng,
        // Leave room for quiescence and the checks before the hard deadline (but load at least half of it).
        stopStartingAt: Math.max(started + settings.deadlineS * 500, deadlineAt - (settings.quiesceS + 40) * 1000),
      },
      bot,
      world,
    );
    load = liveLoad;
    fake.onButtons = (e) => liveLoad.onButtons(e);
    fake.onReply = (e) => liveLoad.onReply(e);
    console.log(`Kills after ops ${[...points].sort((a, b) => a - b).join(', ') || 'none'}.`);

    const progress = setInterval(() => {
      const acked = liveLoad.declares.filter((d) => d.outcome !== 'never-acknowledged').length + liveLoad.clicks.filter((c) => c.acked).length;
      console.log(
        `  … ${liveLoad.declares.length + liveLoad.clicks.length} ops started, ${acked} acknowledged, ${bot!.kills.length} kills, ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    }, 10_000);
    const loadStarted = Date.now();
    await liveLoad.run();
    clearInterval(progress);
    // An abort stops the bot under the load; what follows would only report on the wreckage.
    if (aborting) return 1;
    await Promise.all(liveLoad.pendingKills);
    console.log(`Load done in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s; waiting for quiescence (up to ${settings.quiesceS} s).`);
    if (bot.failed) throw new Error(`the bot could not be restarted: ${bot.failed.message}`);

    const quiescence = await waitQuiescent(world, Math.min(settings.quiesceS * 1000, deadlineAt - Date.now() - 20_000));
    world.stop();
    const evidence = await gatherEvidence(schema.pool, world.summary ?? (await fake.summary()));
    const checks: Check[] = checkInvariants(evidence, liveLoad, bot.kills);

    console.log(`\n=== Soak summary (seed ${settings.seed}; ${((Date.now() - started) / 1000).toFixed(0)} s) ===`);
    printLoad(liveLoad, settings, bot);
    console.log('Recovery after each kill');
    printRecovery(bot, liveLoad);
    console.log('State after the run');
    printState(evidence, liveLoad, quiescence);
    console.log('Invariants');
    printChecks(checks);
    const failed = checks.filter((c) => !c.pass);
    await bot.stop(); // its last output belongs in the evidence
    const dir = writeEvidence({ checks, load: liveLoad, bot, settings, evidence });
    // Checks that pass over a load that never ran prove nothing: an incomplete run fails too.
    const incomplete = liveLoad.notStarted > 0 ? ` INCOMPLETE: ${liveLoad.notStarted} of ${settings.ops} ops never started.` : '';
    console.log(`\n${failed.length === 0 ? 'ALL INVARIANTS PASS' : `${failed.length} of ${checks.length} INVARIANTS FAIL`}.${incomplete} Evidence: ${dir}`);
    return failed.length === 0 && !incomplete ? 0 : 1;
  } catch (err) {
    console.error(`\nSoak could not run: ${(err as Error).stack ?? String(err)}`);
    if (bot?.output()) console.error(`Bot output:\n${bot.output()}`);
    return 1;
  } finally {
    await cleanup.run();
    clearTimeout(hardStop);
  }
}

void main().then((code) => process.exit(code));
