import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/app/config';

const root = path.resolve(__dirname, '../..');
const read = (f: string) => readFileSync(path.join(root, f), 'utf8');

// There is no Docker engine in CI, so these checks stand in for `docker compose config`.
describe('docker compose stack', () => {
  const compose = parse(read('docker-compose.yml'));
  const { postgres, redis, bot } = compose.services;

  it('runs Postgres 15, Redis 7 with noeviction, and the bot, each with a healthcheck', () => {
    expect(postgres.image).toBe('postgres:15');
    expect(redis.image).toBe('redis:7');
    expect(redis.command.join(' ')).toMatch(/--maxmemory-policy noeviction/);
    for (const s of [postgres, redis, bot]) expect(s.healthcheck.test).toBeDefined();
    expect(bot.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
  });

  it('gives the bot a DATABASE_URL and REDIS_URL that match the services, and a config that validates', () => {
    const db = new URL(bot.environment.DATABASE_URL);
    expect(db.hostname).toBe('postgres');
    expect(decodeURIComponent(db.username)).toBe(postgres.environment.POSTGRES_USER);
    expect(decodeURIComponent(db.password)).toBe(postgres.environment.POSTGRES_PASSWORD);
    expect(db.pathname).toBe(`/${postgres.environment.POSTGRES_DB}`);
    expect(new URL(bot.environment.REDIS_URL).hostname).toBe('redis');
    const env = Object.fromEntries(
      read('.env.example')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    // As compose fills them in with no .env: ${VAR:-default} is the default.
    const interpolated = Object.fromEntries(
      Object.entries(bot.environment as Record<string, string>).map(([k, v]) => [k, v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
    );
    expect(() => loadConfig({ ...env, ...interpolated })).not.toThrow();
    // With no .env the bot gets the example, every value empty: it serves the console alone.
    expect(bot.env_file).toBe('${BOT_ENV_FILE:-.env.example}');
    expect(loadConfig({ ...env, ...interpolated }).console).not.toBeNull();
  });

  it('listens on every interface of the container, and serves the token-free console to the compose network only', () => {
    expect(bot.environment.HOST).toBe('0.0.0.0');
    const subnet = compose.networks.default.ipam.config[0].subnet as string;
    expect(subnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    expect(bot.environment.CONSOLE_ALLOW_FROM).toBe(`\${CONSOLE_ALLOW_FROM:-${subnet}}`);
    // Published on this machine only, each on a port that can be moved off one already taken.
    expect(bot.ports).toEqual(['127.0.0.1:${BOT_HOST_PORT:-3000}:3000']);
    expect(postgres.ports).toEqual(['127.0.0.1:${POSTGRES_HOST_PORT:-5432}:5432']);
    expect(redis.ports).toEqual(['127.0.0.1:${REDIS_HOST_PORT:-6379}:6379']);
  });

  it('documents every variable of .env.example in the README table', () => {
    const readme = read('README.md');
    const names = [...read('.env.example').matchAll(/^#?\s?([A-Z][A-Z_]+)=/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(5);
    for (const n of names) expect(readme).toContain(`| \`${n}\``);
  });

  it('builds an image that carries the migrations and runbooks, on Node 24, as a non-root user', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/COPY migrations \.\/migrations/);
    expect(dockerfile).toMatch(/COPY playbooks \.\/playbooks/);
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});

/** The last instruction of `kind` in the Dockerfile, with continuation lines joined. */
function instruction(dockerfile: string, kind: 'CMD' | 'ENTRYPOINT'): string | undefined {
  const joined = dockerfile.replace(/\\\r?\n/g, ' ');
  // HEALTHCHECK … CMD is the health check's command, not the container's.
  const lines = joined.split(/\r?\n/).filter((l) => new RegExp(`^\\s*${kind}\\s`, 'i').test(l));
  return lines
    .at(-1)
    ?.trim()
    .replace(new RegExp(`^${kind}\\s+`, 'i'), '');
}

/** The instruction's argv when it is in exec form (a JSON array), else null. */
function execForm(value: string | undefined): string[] | null {
  if (value === undefined || !value.startsWith('[')) return null;
  const argv: unknown = JSON.parse(value);
  return Array.isArray(argv) && argv.every((a) => typeof a === 'string') ? argv : null;
}

// A shell between the init and node would receive docker's SIGTERM and not pass it on: the bot
// would be SIGKILLed after the grace period instead of shutting down (issue 20).
describe('container start', () => {
  const dockerfile = read('Dockerfile');
  const entrypoint = execForm(instruction(dockerfile, 'ENTRYPOINT'));
  const cmd = execForm(instruction(dockerfile, 'CMD'));

  it('starts node in exec form, with no shell in between', () => {
    expect(cmd).toEqual(['node', 'dist/app/cli.js', 'start']);
    for (const argv of [entrypoint ?? [], cmd ?? []]) {
      expect(argv.filter((a) => /(^|\/)(ba|da)?sh$/.test(a))).toEqual([]);
    }
  });

  it("runs under an init that forwards signals: tini as the entrypoint, or compose's init", () => {
    const compose = parse(read('docker-compose.yml'));
    const tini = entrypoint !== null && /(^|\/)tini$/.test(entrypoint[0] ?? '') && entrypoint[1] === '--';
    if (tini) expect(dockerfile).toMatch(/apt-get install[^\n]*\btini\b/);
    expect(tini || compose.services.bot.init === true).toBe(true);
  });

  it('gives the bot longer than its own 9 s shutdown bound before compose SIGKILLs it', () => {
    const grace = String(parse(read('docker-compose.yml')).services.bot.stop_grace_period ?? '10s');
    expect(Number(/^(\d+)s$/.exec(grace)?.[1])).toBeGreaterThan(10);
  });

  it('keeps node_modules, .git, dist and every .env file out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of ['node_modules', '.git', '.env', '.env.*', 'dist']) expect(ignored).toContain(entry);
    // A re-included .env would undo the exclusion.
    expect(ignored.filter((l) => /^!\.env(\.|$)/.test(l) && l !== '!.env.example')).toEqual([]);
  });

  it('copies nothing the .dockerignore excludes', () => {
    const copied = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)\s+\S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(copied.length).toBeGreaterThan(3);
    const ignored = new Set(
      read('.dockerignore')
        .split('\n')
        .map((l) => l.trim()),
    );
    for (const f of copied) expect(ignored.has(f)).toBe(false);
  });
});
