import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { forgedTokens, channelClaims } from '../support/jwt';
import { alice, BOT_APP_ID, channelMessage, GENERAL_CHANNEL, postActivity } from '../support/teams-activities';

jest.setTimeout(30_000);

let h: TeamsHarness;
beforeAll(async () => {
  // The fake Bot Connector publishes the signing keys; the bot checks every request against them.
  const { FakeConnector } = await import('../support/fake-connector');
  const connector = await new FakeConnector().start();
  h = await startTeamsHarness({
    connector,
    env: { MICROSOFT_APP_ID: BOT_APP_ID, MICROSOFT_APP_PASSWORD: 'test-client-secret-not-real', BOT_OPENID_METADATA_URL: connector.openIdMetadataUrl },
  });
});
afterAll(async () => {
  await h?.stop();
});

const declare = () => channelMessage({ serviceUrl: h.connector.serviceUrl, text: 'incident pdf-404 forged', from: alice, channel: GENERAL_CHANNEL });

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
  ];
  for (const [what, authorization] of attempts) {
    const res = await postActivity(h.url, declare(), authorization);
    expect({ what, status: res.status }).toEqual({ what, status: 401 });
  }
  expect(await recorded()).toBe(0);
  expect(h.connector.calls.filter((c) => c.path.startsWith('/v3/'))).toEqual([]);
});

test('a token the Bot Framework signed is accepted', async () => {
  const token = h.connector.signToken(channelClaims({ appId: BOT_APP_ID, serviceUrl: h.connector.serviceUrl }));
  // A conversation update asks for no answer, so no outbound call needs Microsoft's token service.
  const update = { ...declare(), type: 'conversationUpdate', text: undefined, membersAdded: [{ id: 'x' }] };
  const res = await postActivity(h.url, update, `Bearer ${token}`);
  expect(res.status).toBe(200);
  const { rows } = await h.schema.pool.query('SELECT name FROM teams_people');
  expect(rows).toEqual([{ name: 'Alice Martin' }]);
});
