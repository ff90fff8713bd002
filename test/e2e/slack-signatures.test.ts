import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SIGNING_SECRET, startHarness, type Harness } from '../support/harness';
import { postSigned, slackSignature } from '../support/signing';

const vector = JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/slack/signing-vector.json'), 'utf8')) as {
  signing_secret: string;
  x_slack_request_timestamp: string;
  raw_body: string;
  x_slack_signature: string;
};

const FORM = 'application/x-www-form-urlencoded';
const declareBody = new URLSearchParams({
  team_id: 'T0TEST',
  channel_id: 'CGENERAL',
  user_id: 'UMALLORY',
  command: '/incident',
  text: 'pdf-404 forged request',
  response_url: 'http://127.0.0.1:9/unused',
  trigger_id: 't',
}).toString();

describe('Slack request signatures', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function nothingRecorded() {
    await new Promise((r) => setTimeout(r, 300)); // give a wrongly accepted request time to show up
    const { rows } = await h.schema.pool.query('SELECT (SELECT count(*) FROM incidents)::int AS i, (SELECT count(*) FROM outbox)::int AS o');
    expect(rows[0]).toEqual({ i: 0, o: 0 });
    expect(h.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  }

  it("our signer reproduces Slack's documented example signature", () => {
    expect(slackSignature(vector.signing_secret, vector.x_slack_request_timestamp, vector.raw_body)).toBe(vector.x_slack_signature);
  });

  it("rejects Slack's documented request with 401: correctly signed, but years old (replay)", async () => {
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, vector.raw_body, FORM, {
      timestamp: Number(vector.x_slack_request_timestamp),
      signature: vector.x_slack_signature,
    });
    expect(res.status).toBe(401);
    await nothingRecorded();
  });

  it('rejects a request signed with another secret with 401 and records nothing', async () => {
    const res = await postSigned(h.eventsUrl, vector.signing_secret, declareBody, FORM);
    expect(res.status).toBe(401);
    await nothingRecorded();
  });

  it('rejects a stale signature (over five minutes old) with 401 and records nothing', async () => {
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, declareBody, FORM, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(res.status).toBe(401);
    await nothingRecorded();
  });

  it('rejects a body altered after signing with 401', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const signature = slackSignature(SIGNING_SECRET, ts, declareBody);
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, declareBody.replace('forged', 'tampered'), FORM, { timestamp: ts, signature });
    expect(res.status).toBe(401);
    await nothingRecorded();
  });

  it('rejects a request with no signature headers with 401', async () => {
    const res = await fetch(h.eventsUrl, { method: 'POST', headers: { 'content-type': FORM }, body: declareBody });
    expect(res.status).toBe(401);
    await nothingRecorded();
  });

  it('accepts the same request when it is correctly signed now', async () => {
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, declareBody, FORM);
    expect(res.status).toBe(200);
    await h.slack.waitFor(() => h.slack.callsOf('conversations.create').length === 1, 'the incident channel');
    const { rows } = await h.schema.pool.query('SELECT count(*)::int AS n FROM incidents');
    expect(rows[0].n).toBe(1);
  });
});
