import type { ChildProcess } from 'node:child_process';
import { botEnv, slackEnv } from '../support/bot-env';
import { freePort, spawnCli, startBot, type BotProcess } from '../support/bot-process';
import { BASE_DATABASE_URL, freshSchema, type TestSchema } from '../support/db';
import { FakeSlack } from '../support/fake-slack';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis';
import { postSigned } from '../support/signing';
import { postgresProxy, TcpProxy } from '../support/tcp-proxy';

const SECRET = 'test-signing-secret-shutdown';
// What a supervisor (Kubernetes, systemd) waits for before it kills the process for good.
const EXIT_BOUND_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything the bot needs but a reachable Postgres; Slack points at nothing that matters. */
function shutdownEnv(databaseUrl: string, prefix: string, slackApiUrl = 'http://127.0.0.1:9/api/'): Record<string, string> {
  return {
    ...botEnv({ databaseUrl, prefix, logLevel: 'warn' }),
    ...slackEnv('xoxb-test-shutdown', SECRET, slackApiUrl),
  };
}

/** Resolves with how long `exited` took to settle, or null (after SIGKILLing) past `ms`. */
async function timeExit(exited: Promise<unknown>, since: number, ms: number, kill: () => void): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
  const took = await Promise.race([exited.then(() => Date.now() - since), late]);
  clearTimeout(timer);
  if (took === null) kill();
  return took;
}

describe('SIGTERM while the databases stall', () => {
  let slack: FakeSlack;
  let schema: TestSchema;
  let pg: TcpProxy;
  let redis: TcpProxy;
  let bot: BotProcess | null = null;
  const prefix = uniquePrefix();
  let seq = 0;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    schema = await freshSchema();
    pg = await postgresProxy();
    const r = new URL(TEST_REDIS_URL);
    redis = await new TcpProxy(r.hostname, Number(r.port || 6379)).start();
  });
  afterEach(async () => {
    pg?.heal();
    redis?.heal();
    await bot?.kill('SIGKILL');
    bot = null;
  });
  afterAll(async () => {
    await pg?.stop();
    await redis?.stop();
    await slack?.stop();
    await schema?.drop();
    await dropPrefix(prefix);
  }, 20_000);

  /** Starts a bot, makes `stall` go silent with a declare waiting on it, sends SIGTERM: how long until it exits? */
  async function sigtermWhileStalled(stall: TcpProxy[]): Promise<void> {
    const redisUrl = new URL(TEST_REDIS_URL);
    redisUrl.hostname = '127.0.0.1';
    redisUrl.port = String(redis.port);
    const running = await startBot({ env: { ...shutdownEnv(pg.wrap(schema.url), prefix, slack.apiUrl), REDIS_URL: redisUrl.toString() } });
    bot = running;
    for (const p of stall) p.stall();
    // A declare waits on the silent database, and relay passes and worker polls pile up behind it.
    const body = new URLSearchParams({
      team_id: 'T0TEST',
      channel_id: 'CGENERAL',
      user_id: 'UALICE01',
      command: '/incident',
      text: 'pdf-404 declared as the bot is stopped',
      response_url: slack.responseUrl(`shutdown-${++seq}`),
      trigger_id: `shutdown-trigger-${seq}`,
    }).toString();
    const declare = postSigned(running.eventsUrl, SECRET, body, 'application/x-www-form-urlencoded').catch(() => null);
    await sleep(1_500);

    const sent = Date.now();
    void running.kill('SIGTERM');
    const took = await timeExit(running.exited, sent, EXIT_BOUND_MS + 5_000, () => void running.kill('SIGKILL'));
    await declare;
    const ended = await running.exited;
    if (took === null || took >= EXIT_BOUND_MS) {
      throw new Error(`the bot took ${took ?? 'over 15000'} ms to exit after SIGTERM (${JSON.stringify(ended)})\n--- last output ---\n${running.output()}`);
    }
    expect(took).toBeLessThan(EXIT_BOUND_MS);
    // It exited on its own (with a code), not because something had to kill it.
    expect(ended.signal).toBeNull();
  }

  it('exits within 10 s of SIGTERM while Postgres has gone silent mid-declare', async () => {
    await sigtermWhileStalled([pg]);
  }, 35_000);

  it('exits within 10 s of SIGTERM while Postgres and Redis have both gone silent', async () => {
    await sigtermWhileStalled([pg, redis]);
  }, 35_000);
});

describe('start with an unreachable Postgres', () => {
  const children = new Set<ChildProcess>();
  afterAll(() => {
    // Only reached with a child still running if a test failed before it could kill it.
    for (const child of children) child.kill('SIGKILL');
  });

  /** Runs `incident-bot start` as an operator would, and reports how it ended and how fast. */
  async function start(databaseUrl: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number | null; stderr: string }> {
    const child = spawnCli(['start'], {
      env: { ...shutdownEnv(databaseUrl, uniquePrefix()), PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout!.resume();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => {
        children.delete(child);
        resolve({ code, signal });
      }),
    );
    const spawned = Date.now();
    const ms = await timeExit(exited, spawned, EXIT_BOUND_MS + 5_000, () => child.kill('SIGKILL'));
    return { ...(await exited), ms, stderr };
  }

  function expectGaveUpSayingWhy(r: Awaited<ReturnType<typeof start>>): void {
    if (r.ms === null || r.ms >= EXIT_BOUND_MS)
      throw new Error(`start took ${r.ms ?? 'over 15000'} ms to give up (${r.code ?? r.signal})\n--- stderr ---\n${r.stderr}`);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stderr).toContain('Cannot reach Postgres at DATABASE_URL');
  }

  it('gives up within 10 s and says why when Postgres accepts connections but never answers', async () => {
    const proxy = await postgresProxy();
    proxy.stall();
    try {
      expectGaveUpSayingWhy(await start(proxy.wrap(BASE_DATABASE_URL)));
    } finally {
      proxy.heal();
      await proxy.stop();
    }
  }, 20_000);

  it('gives up within 10 s and says why when nothing listens on the Postgres port', async () => {
    const url = new URL(BASE_DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(await freePort());
    expectGaveUpSayingWhy(await start(url.toString()));
  }, 20_000);
});
