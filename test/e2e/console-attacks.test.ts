/**
 * The token-free console against what got in before: another site's name pointed at 127.0.0.1
 * (DNS rebinding), a cross-site form, a proxy on this machine, a cookie that does not decode, and
 * a connection from the network. Each is sent as the attacker would; every refusal records nothing.
 */
import { connect } from 'node:net';
import { csrfOf, startConsoleHarness, type ConsoleClient, type ConsoleHarness } from '../support/console-harness';
import { nonLoopbackAddress, rawRequest } from '../support/raw-http';
import { until } from '../support/wait';

jest.setTimeout(30_000);

const DECLARE = '/incident pdf-404 invoices return 404';
const FORM = 'application/x-www-form-urlencoded';

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsoleHarness();
});
afterAll(async () => {
  await h?.stop();
});

/**
 * What a console request could have recorded: incidents, events by people (the bot's own follow
 * from earlier declares, in the background), messages.
 */
async function recorded(): Promise<{ incidents: number; events: number; messages: number }> {
  const { rows } = await h.schema.pool.query(
    `SELECT (SELECT count(*)::int FROM incidents) AS incidents,
            (SELECT count(*)::int FROM incident_events WHERE actor <> 'incident-bot') AS events,
            (SELECT count(*)::int FROM console_messages) AS messages`,
  );
  return rows[0];
}

/** A session of a real console page: its cookie header and its csrf. */
async function session(): Promise<{ client: ConsoleClient; cookie: string; csrf: string }> {
  const client = h.client();
  const csrf = await client.csrf();
  return { client, cookie: client.cookieHeader(), csrf };
}

const port = () => new URL(h.baseUrl).port;
const declareBody = (csrf: string) => new URLSearchParams({ text: DECLARE, csrf }).toString();

test('a page asked for under a foreign Host (DNS rebinding) is refused with 421 and nothing is recorded', async () => {
  const before = await recorded();
  const { cookie, csrf } = await session();
  const rebound = `rebind.attacker.example:${port()}`;
  const page = await rawRequest(`${h.baseUrl}/console`, { headers: { host: rebound } });
  expect(page.status).toBe(421);
  expect(page.body).toContain('CONSOLE_PUBLIC_URL');
  expect(csrfOf(page.body)).toBeNull();
  expect(page.headers['set-cookie']).toBeUndefined();
  // The attacker's script is same-origin with its own name: Origin and Host agree, cookie and csrf are real.
  for (const [p, body] of [
    ['/console/command', declareBody(csrf)],
    ['/console/you', new URLSearchParams({ person: 'root', csrf }).toString()],
  ] as const) {
    const res = await rawRequest(`${h.baseUrl}${p}`, {
      method: 'POST',
      headers: { host: rebound, origin: `http://${rebound}`, 'content-type': FORM, cookie },
      body,
    });
    expect({ p, status: res.status }).toEqual({ p, status: 421 });
    expect(res.headers['set-cookie']).toBeUndefined();
  }
  for (const host of ['localhost.attacker.example', '127.0.0.1.nip.io', 'localhost@evil', '[::2]']) {
    expect({ host, status: (await rawRequest(`${h.baseUrl}/console`, { headers: { host } })).status }).toEqual({ host, status: 421 });
  }
  expect(await recorded()).toEqual(before);
  // The names of this machine are served, on any port.
  for (const host of [`localhost:${port()}`, `127.0.0.1:${port()}`, `[::1]:${port()}`, 'LOCALHOST', 'localhost:1']) {
    expect({ host, status: (await rawRequest(`${h.baseUrl}/console`, { headers: { host } })).status }).toEqual({ host, status: 200 });
  }
});

test('a form posted from another site, as text/plain, or by a client that sends no origin at all is refused with 403; nothing is recorded', async () => {
  const before = await recorded();
  const { cookie, csrf } = await session();
  const self = `http://127.0.0.1:${port()}`;
  const attempts: Array<[string, Record<string, string>]> = [
    ['a cross-site form', { origin: 'https://evil.example', 'content-type': FORM }],
    ['a sibling port', { origin: 'http://127.0.0.1:1', 'content-type': FORM }],
    ['another name of this machine', { origin: `http://localhost:${port()}`, 'content-type': FORM }],
    ['https for http', { origin: `https://127.0.0.1:${port()}`, 'content-type': FORM }],
    ['a sandboxed frame', { origin: 'null', 'content-type': FORM }],
    ['a cross-site text/plain form', { origin: 'https://evil.example', 'content-type': 'text/plain' }],
    ['a same-origin text/plain post', { origin: self, 'content-type': 'text/plain' }],
    ['a cross-site fetch without Origin', { 'sec-fetch-site': 'cross-site', 'content-type': FORM }],
    ['a same-site fetch without Origin', { 'sec-fetch-site': 'same-site', 'content-type': FORM }],
    ['neither Origin nor Sec-Fetch-Site (curl)', { 'content-type': FORM }],
  ];
  for (const [what, headers] of attempts) {
    const res = await rawRequest(`${self}/console/command`, { method: 'POST', headers: { ...headers, cookie }, body: declareBody(csrf) });
    expect({ what, status: res.status }).toEqual({ what, status: 403 });
  }
  expect(await recorded()).toEqual(before);

  // The same form from the console's own page goes through: by Origin, or by Sec-Fetch-Site alone.
  const byOrigin = await rawRequest(`${self}/console/command`, {
    method: 'POST',
    headers: { origin: self, 'content-type': FORM, cookie },
    body: declareBody(csrf),
  });
  expect(byOrigin.status).toBe(303);
  const byFetchSite = await rawRequest(`${self}/console/command`, {
    method: 'POST',
    headers: { 'sec-fetch-site': 'same-origin', 'content-type': `${FORM}; charset=UTF-8`, cookie },
    body: declareBody(csrf),
  });
  expect(byFetchSite.status).toBe(303);
  expect((await recorded()).incidents).toBe(before.incidents + 2);
});

test('X-Real-IP, Via, Forwarded and any X-Forwarded-* from a proxy on this machine are refused without a token; nothing is recorded', async () => {
  // The incidents declared above page their rotation at once (level 1 at 0m): let those pages land first.
  await until(
    async () => {
      const r = await recorded();
      return r.messages >= r.incidents;
    },
    "the earlier incidents' level-1 pages",
    10_000,
  );
  const before = await recorded();
  const { cookie, csrf } = await session();
  const self = `http://127.0.0.1:${port()}`;
  const proxied: Array<Record<string, string>> = [
    { 'x-real-ip': '203.0.113.9' },
    { via: '1.1 proxy.example' },
    { forwarded: 'for=203.0.113.9' },
    { 'x-forwarded-for': '203.0.113.9' },
    { 'x-forwarded-host': 'console.example' },
    { 'x-forwarded-proto': 'https' },
  ];
  for (const header of proxied) {
    const page = await rawRequest(`${self}/console`, { headers: header });
    expect({ header, status: page.status }).toEqual({ header, status: 403 });
    expect(page.body).toContain('CONSOLE_TOKEN');
    const post = await rawRequest(`${self}/console/command`, {
      method: 'POST',
      headers: { ...header, origin: self, 'content-type': FORM, cookie },
      body: declareBody(csrf),
    });
    expect({ header, status: post.status }).toEqual({ header, status: 403 });
  }
  expect(await recorded()).toEqual(before);
});

test('a cookie that does not decode is ignored: a new session, never a 500', async () => {
  const before = await recorded();
  for (const cookie of [
    'ib_session=%E0%A4%A',
    'ib_login=%; ib_session=%zz',
    'ib_person=%E0%A4%A; ib_session=x',
    '=; ;;ib_session',
    'ib_session=AAAAAAAAAAAAAAAAAAAAAAAA',
  ]) {
    const res = await rawRequest(`${h.baseUrl}/console`, { headers: { cookie } });
    expect({ cookie, status: res.status }).toEqual({ cookie, status: 200 });
    // A session id the client chose is not taken: the server issues its own, signed.
    const issued = (res.headers['set-cookie'] as string[]).find((c) => c.startsWith('ib_session='))!;
    expect(issued).toMatch(/^ib_session=[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43};/);
    expect(csrfOf(res.body)).toBeTruthy();
  }
  // A malformed cookie on a form: refused for its (missing) session, not a 500.
  const self = `http://127.0.0.1:${port()}`;
  const post = await rawRequest(`${self}/console/command`, {
    method: 'POST',
    headers: { origin: self, 'content-type': FORM, cookie: 'ib_session=%E0%A4%A' },
    body: declareBody('x'),
  });
  expect(post.status).toBe(403);
  expect(await recorded()).toEqual(before);
});

const OTHER_HOST = nonLoopbackAddress();
test(`without a token the bot listens on 127.0.0.1 only${OTHER_HOST ? ` (a connection to ${OTHER_HOST} is refused)` : ''}`, async () => {
  expect(h.runtime.port).toBeGreaterThan(0);
  const reach = (host: string) =>
    new Promise<string>((resolve) => {
      const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port: h.runtime.port, timeout: 3_000 });
      const done = (what: string) => {
        socket.destroy();
        resolve(what);
      };
      socket.once('connect', () => done('connected'));
      socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
      socket.once('timeout', () => done('timeout'));
    });
  expect(await reach('127.0.0.1')).toBe('connected');
  if (OTHER_HOST) expect(await reach(OTHER_HOST)).toBe('ECONNREFUSED');
  // IPv6 loopback is another interface: not listened on either.
  expect(await reach('::1')).not.toBe('connected');
});
