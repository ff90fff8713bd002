import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { carol, channelMessage, GENERAL_CHANNEL } from '../support/teams-activities';

jest.setTimeout(30_000);

/*
 * Local no-auth mode (no MICROSOFT_APP_ID) as a web page open on the same machine would attack it:
 * a cross-site POST a browser sends without a preflight, claiming to be an admin, asking the bot to
 * reply to a serviceUrl the attacker chose.
 */
let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness({ env: { TEAMS_ADMINS: carol.aadObjectId } });
});
afterAll(async () => {
  await h?.stop();
});

const declare = (serviceUrl = h.connector.serviceUrl) =>
  channelMessage({ serviceUrl, text: 'incident pdf-404 declared by a web page', from: carol, channel: GENERAL_CHANNEL });

async function post(body: object, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(h.url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
}

async function recorded(): Promise<number> {
  const { rows } = await h.schema.pool.query(
    `SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM teams_people) + (SELECT count(*) FROM teams_conversations) AS n`,
  );
  return Number(rows[0].n);
}

const outbound = () => h.connector.calls.filter((c) => c.path.startsWith('/v3/'));

test('a text/plain POST with a foreign Origin, claiming an admin, is refused and records nothing', async () => {
  const res = await post(declare(), { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://evil.example' });
  expect(res).toEqual({ status: 403, body: { error: expect.stringContaining('Origin') } });
  expect(await recorded()).toBe(0);
  expect(outbound()).toEqual([]);
});

test('a JSON POST that carries any Origin header is refused: only programs, not pages, may call', async () => {
  for (const origin of ['https://evil.example', 'http://localhost:3000', 'null']) {
    const res = await post(declare(), { 'content-type': 'application/json', origin });
    expect({ origin, status: res.status }).toEqual({ origin, status: 403 });
  }
  expect(await recorded()).toBe(0);
  expect(outbound()).toEqual([]);
});

test('a body that is not declared as application/json gets 415', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
    const res = await post(declare(), { 'content-type': type });
    expect({ type, status: res.status }).toEqual({ type, status: 415 });
  }
  expect(await recorded()).toBe(0);
  expect(outbound()).toEqual([]);
});

test('an activity whose serviceUrl is not on this machine is refused: the bot would POST its replies there', async () => {
  for (const serviceUrl of ['https://smba.trafficmanager.net/emea/', 'http://10.0.0.5:8080/', 'http://localhost.evil.example/', 'file:///etc/', 'not a url']) {
    const res = await post(declare(serviceUrl), { 'content-type': 'application/json' });
    expect({ serviceUrl, status: res.status }).toEqual({ serviceUrl, status: 403 });
  }
  expect(await recorded()).toBe(0);
  expect(outbound()).toEqual([]);
});

test("the Emulator's way still works: JSON, no Origin, a loopback serviceUrl", async () => {
  const update = { ...declare(), type: 'conversationUpdate', text: undefined, membersAdded: [{ id: 'x' }] };
  const res = await post(update, { 'content-type': 'application/json; charset=utf-8' });
  expect(res.status).toBe(200);
  const { rows } = await h.schema.pool.query('SELECT name FROM teams_people');
  expect(rows).toEqual([{ name: 'Carol Nguyen' }]);
});
