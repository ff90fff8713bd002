/**
 * The image's start command, run here as the container runs it: the Dockerfile's ENTRYPOINT and
 * CMD, with tini from this machine and the TypeScript source standing in for dist/. `docker stop`
 * sends SIGTERM to PID 1 (tini); this checks it reaches node and the bounded shutdown runs, so the
 * bot exits 0 on its own instead of being SIGKILLed after the grace period.
 *
 * It needs tini, as the browser tests need Chromium: .ci/run installs it (apt-get install tini).
 * test/e2e/fault-shutdown.test.ts covers the shutdown itself, SIGTERM sent to node directly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, REPO_ROOT } from '../support/bot-process';
import { killOnExit } from '../support/children';
import { freshSchema, type TestSchema } from '../support/db';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis';

const EXIT_BOUND_MS = 10_000;

function localTini(): string {
  const r = spawnSync('sh', ['-c', 'command -v tini'], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error("No tini on this machine: the container test runs the image's init. Install it with `apt-get install -y tini` (.ci/run does this).");
  return r.stdout.trim();
}

/** The container's argv: ENTRYPOINT then CMD, both in exec form (test/unit/deploy-files.test.ts insists). */
function containerArgv(): string[] {
  const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const last = (kind: string) => {
    const lines = dockerfile.split('\n').filter((l) => l.startsWith(`${kind} `));
    return JSON.parse(lines.at(-1)!.slice(kind.length + 1)) as string[];
  };
  return [...last('ENTRYPOINT'), ...last('CMD')];
}

describe('the container start command under tini', () => {
  const tini = localTini();
  let schema: TestSchema;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    schema = await freshSchema();
  });
  afterAll(async () => {
    await schema?.drop();
    await dropPrefix(prefix);
  });

  it('passes SIGTERM to node, which shuts down within the bound and exits 0', async () => {
    const argv = containerArgv();
    expect(argv).toEqual(['/usr/bin/tini', '--', 'node', 'dist/app/cli.js', 'start']);
    const local = argv.flatMap((a) =>
      a === '/usr/bin/tini' ? [tini] : a === 'node' ? [process.execPath] : a === 'dist/app/cli.js' ? ['--import', 'tsx', 'src/app/cli.ts'] : [a],
    );
    const port = await freePort();
    // Console-only: no chat platform needed; LOG_LEVEL info, for the shutdown's log line.
    const child = spawn(local[0]!, local.slice(1), {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: schema.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        PORT: String(port),
        LOG_LEVEL: 'info',
        PLAYBOOKS_DIR: path.join(REPO_ROOT, 'playbooks'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(child);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );

    const deadline = Date.now() + 20_000;
    let ready = false;
    while (!ready && Date.now() < deadline && child.exitCode === null) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    if (!ready) {
      child.kill('SIGKILL');
      throw new Error(`the bot was not ready under tini within 20 s\n--- output ---\n${output}`);
    }

    // To tini, as docker stop does to PID 1; node is its child, never signalled by us.
    const sent = Date.now();
    child.kill('SIGTERM');
    const late = setTimeout(() => child.kill('SIGKILL'), EXIT_BOUND_MS + 5_000);
    const ended = await exited;
    clearTimeout(late);
    const took = Date.now() - sent;

    if (ended.code !== 0 || took >= EXIT_BOUND_MS) throw new Error(`exit ${JSON.stringify(ended)} after ${took} ms\n--- output ---\n${output}`);
    // The bot's own handler ran: it logged the signal, then runtime.stop() finished (exit 0, passed on by tini).
    expect(output).toMatch(/"signal":"SIGTERM"[^\n]*"msg":"shutting down"|"msg":"shutting down"[^\n]*"signal":"SIGTERM"/);
    expect(output).not.toContain('exiting anyway');
  }, 40_000);
});
