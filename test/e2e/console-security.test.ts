/**
 * Who the console answers, over plain HTTP: every POST needs its session's CSRF token; with
 * CONSOLE_TOKEN every request needs the sign-in; without it only this machine is served.
 */
import { isLoopback } from '../../src/http/requests';
import { csrfOf, startConsoleHarness, type ConsoleClient, type ConsoleHarness } from '../support/console-harness';
import { nonLoopbackAddress } from '../support/raw-http';

jest.setTimeout(30_000);

const TOKEN = 'console-test-token-0123456789abcdef';
const DECLARE = '/incident pdf-404 invoices return 404';

async function incidents(h: ConsoleHarness): Promise<number> {
  const { rows } = await h.schema.pool.query('SELECT count(*)::int AS n FROM incidents');
  return rows[0].n as number;
}

const OTHER_HOST = nonLoopbackAddress();

describe('without CONSOLE_TOKEN', () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    // Every interface, as compose runs it (HOST=0.0.0.0), and the other address's name known: what
    // is tested is the console's own refusal by client address.
    h = await startConsoleHarness({
      env: { HOST: OTHER_HOST?.startsWith('[') ? '::' : '0.0.0.0', CONSOLE_PUBLIC_URL: `http://${OTHER_HOST ?? 'console.example'}` },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('a command with a forged, missing or another session’s csrf is refused with 403 and records nothing', async () => {
    const c = h.client();
    const csrf = await c.csrf();
    expect(c.jar.get('ib_session')).toMatch(/^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/);
    const other = h.client();
    const otherCsrf = await other.csrf();
    expect(otherCsrf).not.toBe(csrf);

    const attempts: Array<[string, ConsoleClient, Record<string, string>]> = [
      ['no csrf', c, { text: DECLARE }],
      ['an empty csrf', c, { text: DECLARE, csrf: '' }],
      ['a forged csrf', c, { text: DECLARE, csrf: 'x'.repeat(csrf.length) }],
      ['another session’s csrf', c, { text: DECLARE, csrf: otherCsrf }],
      ['a csrf without its session cookie', h.client(), { text: DECLARE, csrf }],
    ];
    for (const [what, client, fields] of attempts) {
      const res = await client.post('/console/command', fields);
      expect({ what, status: res.status }).toEqual({ what, status: 403 });
    }
    // Clicks and the person picker are forms too.
    expect((await c.post('/console/click', { payload: 'x', csrf: 'forged' })).status).toBe(403);
    expect((await c.post('/console/you', { person: 'root', csrf: 'forged' })).status).toBe(403);
    expect(c.jar.has('ib_person')).toBe(false);
    expect(await incidents(h)).toBe(0);

    // The same form with its own csrf goes through: the refusals above were the csrf's doing.
    const ok = await c.post('/console/command', { text: DECLARE, csrf });
    expect(ok.status).toBe(303);
    expect(ok.location).toMatch(/^\/console\/incidents\/\d+$/);
    expect(await incidents(h)).toBe(1);
  });

  test("a request a reverse proxy forwarded is someone else's: refused, though the proxy is on this machine", async () => {
    const proxied: Array<Record<string, string>> = [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }];
    for (const header of proxied) {
      const res = await fetch(`${h.baseUrl}/console`, { headers: header, redirect: 'manual' });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('CONSOLE_TOKEN');
    }
  });

  test('cookies are HttpOnly, SameSite=Strict and scoped to /console; pages forbid framing and foreign scripts', async () => {
    const res = await fetch(`${h.baseUrl}/console`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    const session = res.headers.getSetCookie().find((c) => c.startsWith('ib_session='));
    expect(session).toBeDefined();
    expect(session).toMatch(/; Path=\/console/);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(csrfOf(await res.text())).toBeTruthy();
  });

  if (OTHER_HOST) {
    test(`a client from another address (${OTHER_HOST}) is refused: the console answers this machine only`, async () => {
      const before = await incidents(h);
      const port = new URL(h.baseUrl).port;
      const remote = h.client(`http://${OTHER_HOST}:${port}`);
      const page = await remote.get('/console');
      expect(page.status).toBe(403);
      expect(page.body).toContain('CONSOLE_TOKEN');
      expect(csrfOf(page.body)).toBeNull();
      // Even with a valid csrf (and session) from loopback, a form from there is refused.
      const local = h.client();
      const csrf = await local.csrf();
      remote.jar.set('ib_session', local.jar.get('ib_session')!);
      expect((await remote.post('/console/command', { text: DECLARE, csrf })).status).toBe(403);
      for (const p of ['/console/dashboard', '/console/runbooks', '/console/incidents/1', '/console/incidents/1/events', '/console/assets/console.js']) {
        expect({ p, status: (await remote.get(p)).status }).toEqual({ p, status: 403 });
      }
      expect(await incidents(h)).toBe(before);
    });
  } else {
    test('a client from another address is refused (checked on isLoopback: this host has no address but loopback)', () => {
      // No non-loopback interface to connect through here, so the real connection cannot be made;
      // the console decides on req.socket.remoteAddress with isLoopback alone (app.ts), so check that.
      for (const a of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) expect({ a, loopback: isLoopback(a) }).toEqual({ a, loopback: true });
      for (const a of ['192.0.2.7', '10.0.0.1', '::ffff:192.0.2.7', 'fd00::2', '::', '0.0.0.0', '', undefined])
        expect({ a, loopback: isLoopback(a) }).toEqual({ a, loopback: false });
    });
  }
});

describe('with CONSOLE_TOKEN', () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    // Served to others under CONSOLE_PUBLIC_URL's host name only.
    h = await startConsoleHarness({ env: { CONSOLE_TOKEN: TOKEN, CONSOLE_PUBLIC_URL: `http://${OTHER_HOST ?? 'console.example'}` } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('without signing in, a page redirects to the sign-in and a form is refused with 401', async () => {
    const c = h.client();
    const page = await c.get('/console');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/console/login');
    for (const p of [
      '/console/dashboard',
      '/console/incidents/1',
      '/console/runbooks/pdf-404',
      '/console/search?q=kerberos',
      '/console/rooms/00000000-0000-4000-8000-000000000000',
    ]) {
      const res = await c.get(p);
      expect({ p, status: res.status, location: res.location }).toEqual({ p, status: 303, location: '/console/login' });
    }
    // The sign-in page's csrf is a real one for this session: still no entry without the token.
    const login = await c.get('/console/login');
    expect(login.status).toBe(200);
    const csrf = csrfOf(login.body)!;
    expect(csrf).toBeTruthy();
    expect(login.body).toMatch(/<input\b[^>]*\bname="token"/);
    expect((await c.post('/console/command', { text: DECLARE, csrf })).status).toBe(401);
    expect((await c.post('/console/command', { text: DECLARE })).status).toBe(401);
    expect((await c.post('/console/click', { payload: 'x', csrf })).status).toBe(401);
    expect(await incidents(h)).toBe(0);
  });

  test('a wrong token is refused with 401 and records nothing; the right one gives a cookie that opens the console', async () => {
    const c = h.client();
    const csrf = csrfOf((await c.get('/console/login')).body)!;
    for (const token of ['', 'wrong-token-0123456789abcdef', TOKEN.slice(0, -1), `${TOKEN} `]) {
      const res = await c.post('/console/login', { token, csrf });
      expect({ token, status: res.status }).toEqual({ token, status: 401 });
      expect(c.jar.has('ib_login')).toBe(false);
    }
    // The token without the sign-in form's csrf is refused too.
    expect((await c.post('/console/login', { token: TOKEN })).status).toBe(403);
    expect(c.jar.has('ib_login')).toBe(false);
    expect((await c.get('/console')).status).toBe(303);
    expect(await incidents(h)).toBe(0);

    const signedIn = await c.post('/console/login', { token: TOKEN, csrf });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/console');
    expect(c.jar.get('ib_login')).toBeTruthy();
    const page = await c.get('/console');
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<form\b[^>]*action="\/console\/command"/);
    const declared = await c.post('/console/command', { text: DECLARE, csrf: csrfOf(page.body)! });
    expect(declared.status).toBe(303);
    expect(await incidents(h)).toBe(1);
    const incident = await c.get(declared.location!);
    expect(incident.status).toBe(200);

    // The login cookie belongs to its session: under another session cookie it opens nothing.
    const thief = h.client();
    thief.jar.set('ib_login', c.jar.get('ib_login')!);
    await thief.get('/console/login');
    expect(thief.jar.get('ib_session')).not.toBe(c.jar.get('ib_session'));
    expect((await thief.get('/console')).status).toBe(303);
  });

  if (OTHER_HOST) {
    test(`with the token, a client from another address (${OTHER_HOST}) signs in and is served`, async () => {
      const port = new URL(h.baseUrl).port;
      const remote = h.client(`http://${OTHER_HOST}:${port}`);
      expect((await remote.get('/console')).status).toBe(303);
      const csrf = csrfOf((await remote.get('/console/login')).body)!;
      expect((await remote.post('/console/login', { token: TOKEN, csrf })).status).toBe(303);
      expect((await remote.get('/console')).status).toBe(200);
    });
  }
});
