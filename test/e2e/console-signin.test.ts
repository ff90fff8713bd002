/**
 * Signing in to a console with CONSOLE_TOKEN: what a weak token, an offline guesser, an online
 * guesser and a stolen or old cookie get (nothing), and what survives a restart (the sign-in).
 */
import { csrfOf, startConsoleHarness, type ConsoleClient, type ConsoleHarness } from '../support/console-harness';
import { rawRequest } from '../support/raw-http';
import { dropPrefix } from '../support/redis';

jest.setTimeout(30_000);

const TOKEN = 'console-test-token-0123456789abcdef';
const SECRET = 'a-console-secret-for-tests-0123456789abcdef';
const DECLARE = '/incident pdf-404 invoices return 404';
const HOUR = 3_600_000;

async function count(h: ConsoleHarness, table: string): Promise<number> {
  const { rows } = await h.schema.pool.query(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0].n as number;
}

async function signIn(c: ConsoleClient, token = TOKEN) {
  const csrf = csrfOf((await c.get('/console/login')).body)!;
  return c.post('/console/login', { token, csrf });
}

const loginCookie = (res: { headers: Headers }) => res.headers.getSetCookie().find((c) => c.startsWith('ib_login='));

test('a weak CONSOLE_TOKEN keeps the bot from starting, and the message offers a generated one', async () => {
  await expect(startConsoleHarness({ env: { CONSOLE_TOKEN: 'passwordpassword' } })).rejects.toThrow(
    /CONSOLE_TOKEN is too weak: .*freshly generated token: [A-Za-z0-9_-]{32}/,
  );
});

test('the sign-in page’s csrf is keyed by the server secret, not by CONSOLE_TOKEN: it tells a guesser nothing', async () => {
  const a = await startConsoleHarness({ env: { CONSOLE_TOKEN: TOKEN, CONSOLE_SECRET: SECRET } });
  const b = await startConsoleHarness({ env: { CONSOLE_TOKEN: 'another-Strong-token-9876543210zyxw', CONSOLE_SECRET: SECRET } });
  const c = await startConsoleHarness({ env: { CONSOLE_TOKEN: TOKEN, CONSOLE_SECRET: `${SECRET}-other` } });
  try {
    const first = a.client();
    const csrfA = csrfOf((await first.get('/console/login')).body)!;
    // The same session on a bot with another token, same secret: the same csrf.
    const onB = b.client();
    onB.jar.set('ib_session', first.jar.get('ib_session')!);
    const login = await onB.get('/console/login');
    expect(login.headers.getSetCookie()).toEqual([]);
    expect(csrfOf(login.body)).toBe(csrfA);
    // Same token, another secret: that session is not even accepted, and the csrf differs.
    const onC = c.client();
    onC.jar.set('ib_session', first.jar.get('ib_session')!);
    const other = await onC.get('/console/login');
    expect(other.headers.getSetCookie().some((s) => s.startsWith('ib_session='))).toBe(true);
    expect(csrfOf(other.body)).not.toBe(csrfA);
    // With CONSOLE_SECRET set nothing is kept in Postgres.
    expect(await count(a, 'console_secrets')).toBe(0);
  } finally {
    await Promise.all([a.stop(), b.stop(), c.stop()]);
  }
});

describe('a console with CONSOLE_TOKEN', () => {
  let h: ConsoleHarness;
  let now = Date.now();
  beforeAll(async () => {
    h = await startConsoleHarness({ env: { CONSOLE_TOKEN: TOKEN }, console: { now: () => now } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('after 5 wrong tokens a minute sign-in answers 429, the right token included, until the doubling lock-out lapses', async () => {
    const c = h.client();
    const wrong = () => signIn(c, 'wrong-token-0123456789abcdefWXYZ');
    for (let i = 1; i <= 5; i++) expect({ i, status: (await wrong()).status }).toEqual({ i, status: 401 });
    const locked = await wrong();
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
    // The right token, even from a fresh session, is refused while locked: no way to tell it apart.
    const right = await signIn(h.client());
    expect(right.status).toBe(429);
    expect(loginCookie(right)).toBeUndefined();
    now += 30_000;
    expect((await signIn(h.client())).headers.get('retry-after')).toBe('30');

    now += 31_000;
    for (let i = 1; i <= 5; i++) expect({ i, status: (await wrong()).status }).toEqual({ i, status: 401 });
    const again = await wrong();
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBe('120');
    expect(await count(h, 'incidents')).toBe(0);
    now += 121_000;
    const c2 = h.client();
    expect((await signIn(c2)).status).toBe(303);
    expect((await c2.get('/console')).status).toBe(200);
  });

  test('the login cookie lasts 12 hours from its last use, checked by the server; sliding after an hour', async () => {
    const c = h.client();
    const signedIn = await signIn(c);
    expect(signedIn.status).toBe(303);
    const set = loginCookie(signedIn)!;
    expect(set).toMatch(/; Max-Age=43200/);
    expect(set).toMatch(/; HttpOnly/);
    expect(set).not.toMatch(/; Secure/);
    // Within the first hour no new cookie; after it, a renewed one.
    now += 30 * 60_000;
    expect(loginCookie(await c.get('/console'))).toBeUndefined();
    now += 2 * HOUR;
    const renewed = await c.get('/console');
    expect(renewed.status).toBe(200);
    expect(loginCookie(renewed)).toMatch(/; Max-Age=43200/);
    // A client that keeps the renewed cookie past its 12 hours (ignoring Max-Age) is not let in.
    const kept = c.jar.get('ib_login')!;
    now += 12 * HOUR - 60_000;
    expect((await c.get('/console')).status).toBe(200);
    c.jar.set('ib_login', kept); // that answer renewed it; keep the old one
    now += 2 * 60_000;
    const expired = await c.get('/console');
    expect(expired.status).toBe(303);
    expect(expired.location).toBe('/console/login');
    // Nor can one move its issue time: the time is inside the MAC.
    c.jar.set('ib_login', kept.replace(/^\d+/, String(now)));
    expect((await c.get('/console')).status).toBe(303);
  });

  test('sign-out: the layout offers it, it needs the page’s csrf and origin, and after it the console asks for the token again', async () => {
    const c = h.client();
    expect((await signIn(c)).status).toBe(303);
    const page = await c.get('/console');
    expect(page.body).toMatch(/<form class="logout" method="post" action="\/console\/logout">/);
    const csrf = csrfOf(page.body)!;
    expect((await c.post('/console/logout', {})).status).toBe(403);
    expect((await c.post('/console/logout', { csrf }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await c.get('/console')).status).toBe(200);

    const out = await c.post('/console/logout', { csrf });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/console/login');
    expect(loginCookie(out)).toMatch(/^ib_login=; .*Max-Age=0/);
    const after = await c.get('/console');
    expect(after.status).toBe(303);
    expect(after.location).toBe('/console/login');
    // The old page's forms are dead too: the session changed.
    expect((await c.post('/console/command', { text: DECLARE, csrf })).status).toBe(401);
    expect(await count(h, 'incidents')).toBe(0);
  });
});

test('the server secret is made once in Postgres and survives a restart: a sign-in from before still opens the console', async () => {
  const first = await startConsoleHarness({ env: { CONSOLE_TOKEN: TOKEN } });
  let second: ConsoleHarness | undefined;
  try {
    const c = first.client();
    expect((await signIn(c)).status).toBe(303);
    const { rows: before } = await first.schema.pool.query('SELECT secret FROM console_secrets');
    expect(before).toHaveLength(1);
    expect((before[0].secret as Buffer).length).toBe(32);
    await first.runtime.stop();

    second = await startConsoleHarness({ env: { CONSOLE_TOKEN: TOKEN }, schema: first.schema });
    const again = second.client();
    for (const [k, v] of c.jar) again.jar.set(k, v);
    const page = await again.get('/console');
    expect(page.status).toBe(200);
    const declared = await again.post('/console/command', { text: DECLARE, csrf: csrfOf(page.body)! });
    expect(declared.status).toBe(303);
    expect(await count(second, 'incidents')).toBe(1);
    const { rows: after } = await second.schema.pool.query('SELECT secret FROM console_secrets');
    expect(after).toEqual(before);
  } finally {
    await second?.stop();
    await first.schema.drop();
    await dropPrefix(first.prefix).catch(() => undefined);
  }
});

test('behind https (CONSOLE_PUBLIC_URL https:) cookies are Secure, and its host is served with its https origin', async () => {
  const h = await startConsoleHarness({ env: { CONSOLE_TOKEN: TOKEN, CONSOLE_PUBLIC_URL: 'https://incidents.example.com/' } });
  try {
    const port = new URL(h.baseUrl).port;
    const asProxied = (extra: Record<string, string>) => ({ host: 'incidents.example.com', ...extra });
    const login = await rawRequest(`${h.baseUrl}/console/login`, { headers: asProxied({}) });
    expect(login.status).toBe(200);
    const session = (login.headers['set-cookie'] as string[]).find((c) => c.startsWith('ib_session='))!;
    expect(session).toMatch(/; Secure/);
    const form = (origin: string) =>
      rawRequest(`${h.baseUrl}/console/login`, {
        method: 'POST',
        headers: asProxied({ origin, 'content-type': 'application/x-www-form-urlencoded', cookie: session.split(';')[0]! }),
        body: new URLSearchParams({ token: TOKEN, csrf: csrfOf(login.body)! }).toString(),
      });
    expect((await form('http://incidents.example.com')).status).toBe(403);
    expect((await form(`https://incidents.example.com:${port}`)).status).toBe(403);
    const signedIn = await form('https://incidents.example.com');
    expect(signedIn.status).toBe(303);
    const cookie = (signedIn.headers['set-cookie'] as string[]).find((c) => c.startsWith('ib_login='))!;
    expect(cookie).toMatch(/; Max-Age=43200; Secure/);
  } finally {
    await h.stop();
  }
});
