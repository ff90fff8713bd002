import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';

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
    const interpolated = Object.fromEntries(Object.entries(bot.environment as Record<string, string>).map(([k, v]) => [k, v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
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
    // The port is published on this machine only.
    expect(bot.ports).toEqual(['127.0.0.1:3000:3000']);
  });

  it('documents every variable of .env.example in the README table', () => {
    const readme = read('README.md');
    const names = [...read('.env.example').matchAll(/^#?\s?([A-Z][A-Z_]+)=/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(5);
    for (const n of names) expect(readme).toContain(`| \`${n}\``);
  });

  it('builds an image that carries the migrations and runbooks and migrates before starting', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/COPY migrations \.\/migrations/);
    expect(dockerfile).toMatch(/COPY playbooks \.\/playbooks/);
    expect(dockerfile).toMatch(/dist\/cli\.js migrate && node dist\/cli\.js start/);
  });
});
