import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { forgedTokens, channelClaims } from '../support/jwt';
import { alice, BOT_APP_ID, channelMessage, GENERAL_CHANNEL, postActivity, TENANT_ID } from '../support/teams-activities';

const FOREIGN_TENANT = 'f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f';

jest.setTimeout(30_000);

let h: TeamsHarness;
beforeAll(async () => {
  // The fake Bot Connector publishes the signing keys; the bot checks every request against them.
  const { FakeConnector } = await import('../support/fake-connector');
  const connector = await new FakeConnector().start();
  h = await startTeamsHarness({
    connector,
    env: {
      MICROSOFT_APP_ID: BOT_APP_ID,
      MICROSOFT_APP_PASSWORD: 'test-client-secret-not-real',
      BOT_OPENID_METADATA_URL: connector.openIdMetadataUrl,
      TEAMS_ALLOWED_TENANTS: TENANT_ID,
    },
  });
});
afterAll(async () => {
  await h?.stop();
});

const declare = (tenantId?: string) =>
  channelMessage({ serviceUrl: h.connector.serviceUrl, text: 'incident pdf-404 forged', from: alice, channel: GENERAL_CHANNEL, tenantId });
// A conversation update asks for no answer, so no outbound call needs Microsoft's token service.
const update = (tenantId?: string) => ({ ...declare(tenantId), type: 'conversationUpdate', text: undefined, membersAdded: [{ id: 'x' }] });
const signed = () => `Bearer ${h.connector.signToken(channelClaims({ appId: BOT_APP_ID, serviceUrl: h.connector.serviceUrl }))}`;

/** A token the Bot Framework signed, with its payload replaced by `payload` (already encoded). */
function tampered(payload: string): string {
  const [head, , signature] = signed().slice('Bearer '.length).split('.');
  return `Bearer ${head}.${payload}.${signature}`;
}

async function recorded(): Promise<number> {
  const { rows } = await h.schema.pool.query(
    `SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM teams_people) + (SELECT count(*) FROM teams_conversations) AS n`,
  );
  return Number(rows[0].n);
}

test('with an app id set, a request without a token, or with a forged, expired or misaddressed one, gets 401 and records nothing', async () => {
  const forged = forgedTokens(h.connector.signingKey, { appId: BOT_APP_ID, serviceUrl: h.connector.serviceUrl });
  const attempts: Array<[string, string | undefined]> = [
    ['no token', undefined],
    ['not a JWT', 'Bearer not-a-jwt'],
    ['signed by another key', `Bearer ${forged.foreignKey}`],
    ['signed by another key under the trusted kid', `Bearer ${forged.foreignKeyTrustedKid}`],
    ['expired', `Bearer ${forged.expired}`],
    ['for another bot', `Bearer ${forged.wrongAudience}`],
    ['for another service URL', `Bearer ${forged.wrongServiceUrl}`],
    ['payload not JSON', tampered(Buffer.from('not json {').toString('base64url'))],
    ['payload JSON but not an object', tampered(Buffer.from('null').toString('base64url'))],
    ['payload not base64url', tampered('%%%!!!')],
    ['two parts', signed().split('.').slice(0, 2).join('.')],
    ['four parts', `${signed()}.x`],
  ];
  for (const [what, authorization] of attempts) {
    const res = await postActivity(h.url, declare(), authorization);
    expect({ what, status: res.status }).toEqual({ what, status: 401 });
  }
  expect(await recorded()).toBe(0);
  expect(h.connector.calls.filter((c) => c.path.startsWith('/v3/'))).toEqual([]);
});

test('a correctly signed activity from a tenant not in TEAMS_ALLOWED_TENANTS gets 403 and records nothing', async () => {
  const foreign = await postActivity(h.url, update(FOREIGN_TENANT), signed());
  expect(foreign).toEqual({ status: 403, body: { error: expect.stringContaining('tenant') } });
  // The same command that would declare an incident, from the foreign tenant.
  expect((await postActivity(h.url, declare(FOREIGN_TENANT), signed())).status).toBe(403);
  // One field saying our tenant does not launder the other saying theirs.
  const mixed = update();
  mixed.conversation.tenantId = FOREIGN_TENANT;
  expect((await postActivity(h.url, mixed, signed())).status).toBe(403);
  expect(await recorded()).toBe(0);
  expect(h.connector.calls.filter((c) => c.path.startsWith('/v3/'))).toEqual([]);
});

test('a token the Bot Framework signed, from the allowed tenant, is accepted', async () => {
  const res = await postActivity(h.url, update(), signed());
  expect(res.status).toBe(200);
  const { rows } = await h.schema.pool.query('SELECT name FROM teams_people');
  expect(rows).toEqual([{ name: 'Alice Martin' }]);
});
