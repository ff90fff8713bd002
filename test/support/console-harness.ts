import { loadConfig } from '../../src/app/config';
import type { Clock } from '../../src/core/ports';
import { createLogger } from '../../src/util/logger';
import type { ConsoleOptions } from '../../src/adapters/console/app';
import { startRuntime, type Role, type Runtime } from '../../src/app/runtime';
import { freshSchema, type TestSchema } from './db';
import { botEnv } from './bot-env';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from './redis';

export interface ConsoleHarness {
  runtime: Runtime;
  schema: TestSchema;
  prefix: string;
  /** `http://127.0.0.1:<port>`: the console is at `${baseUrl}/console`. */
  baseUrl: string;
  /** A client with its own cookie jar (its own console session), for tests that speak HTTP without a browser. */
  client(base?: string): ConsoleClient;
  stop(): Promise<void>;
}

/**
 * A bot serving the web console alone: no Slack and no Teams variable is set, so the console is
 * the bot (CONSOLE unset means on). Its own schema and Redis prefix; `env` adds or overrides
 * settings (CONSOLE_TOKEN, CONSOLE_PEOPLE …).
 */
export async function startConsoleHarness(
  opts: {
    env?: Record<string, string>;
    clock?: Clock;
    role?: Role;
    runbooksDir?: string;
    console?: ConsoleOptions;
    /** Another harness's schema, to start a second bot on the same database (a restart); it stays that harness's to drop. */
    schema?: TestSchema;
  } = {},
): Promise<ConsoleHarness> {
  const owned = !opts.schema;
  const schema = opts.schema ?? (await freshSchema());
  const prefix = uniquePrefix();
  let runtime: Runtime;
  try {
    const config = loadConfig({
      ...botEnv({ databaseUrl: schema.url, prefix, runbooksDir: opts.runbooksDir }),
      PORT: '0',
      ...opts.env,
    });
    if (!config.console) throw new Error('the console harness needs a configuration that serves the console (CONSOLE=off, or a chat platform, was set)');
    runtime = await startRuntime({
      config,
      role: opts.role,
      clock: opts.clock,
      console: opts.console,
      logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    });
  } catch (err) {
    if (owned) await schema.drop().catch(() => undefined);
    throw err;
  }
  const baseUrl = `http://127.0.0.1:${runtime.port}`;
  return {
    runtime,
    schema,
    prefix,
    baseUrl,
    client: (base = baseUrl) => new ConsoleClient(base),
    async stop() {
      await runtime.stop();
      if (owned) await schema.drop();
      await dropPrefix(prefix, TEST_REDIS_URL).catch(() => undefined);
    },
  };
}

export interface ConsoleResponse {
  status: number;
  /** The Location of a redirect (not followed), else null. */
  location: string | null;
  headers: Headers;
  body: string;
}

/**
 * Speaks to the console as a browser without script would: keeps the cookies it is given
 * (ib_session, ib_login, ib_person), never follows redirects, posts url-encoded forms with the
 * Origin header a browser sends (the console refuses a POST without one).
 */
export class ConsoleClient {
  readonly jar = new Map<string, string>();

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(p: string): Promise<ConsoleResponse> {
    return this.send(p, { method: 'GET' });
  }

  /** Posts `fields` url-encoded; no csrf is added: the caller decides what the form carries. */
  async post(p: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<ConsoleResponse> {
    return this.send(p, {
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(this.base).origin, ...headers },
    });
  }

  /** The CSRF token of this client's session, as a page hands it to its forms (a GET of `p` first). */
  async csrf(p = '/console'): Promise<string> {
    const page = await this.get(p);
    const token = csrfOf(page.body);
    if (!token) throw new Error(`GET ${p} answered ${page.status} without a csrf field: ${page.body.slice(0, 300)}`);
    return token;
  }

  private async send(p: string, init: { method: string; body?: string; headers?: Record<string, string> }): Promise<ConsoleResponse> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.jar.size > 0) headers.cookie = this.cookieHeader();
    const res = await fetch(new URL(p, this.base), { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      if (i > 0) this.jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, body: await res.text() };
  }
}

/** The hidden csrf field of the first form of a page, or null. */
export function csrfOf(htmlText: string): string | null {
  const input = /<input\b[^>]*\bname="csrf"[^>]*>/.exec(htmlText)?.[0];
  return input ? (/\bvalue="([^"]*)"/.exec(input)?.[1] ?? null) : null;
}

/** Every form of a page with its hidden fields, as the browser would send them. */
export function formsOf(page: string): Array<{ action: string; fields: Record<string, string>; label: string }> {
  return [...page.matchAll(/<form\b[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].map((m) => ({
    action: m[1]!,
    fields: Object.fromEntries(
      [...m[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)].map((f) => [
        f[1]!,
        f[2]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&'),
      ]),
    ),
    label: /<button[^>]*>([^<]*)<\/button>/.exec(m[2]!)?.[1] ?? '',
  }));
}
