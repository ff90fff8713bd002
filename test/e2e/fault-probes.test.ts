import { startBot, type BotProcess } from '../support/bot-process';
import { botEnv, slackEnv } from '../support/bot-env';
import { freshSchema, type TestSchema } from '../support/db';
import { FakeBraiFlow } from '../support/fake-braiflow';
import { FakeSlack } from '../support/fake-slack';
import { startHarness, type Harness } from '../support/harness';
import { dropPrefix, uniquePrefix } from '../support/redis';
import { postSigned } from '../support/signing';
import { sleep, until } from '../support/wait';

const SECRET = 'test-signing-secret-fault-probes';
const ALICE = 'UALICE01';
// Obviously not a real credential: the probes only need something to send as the standard user.
const FAKE_TOKEN = 'fake-standard-user-token-not-real';
const ME = '/api/v1/me';
const PDF = '/api/v1/invoices/inv_smoke_0001/pdf';

/**
 * The bot runs in its own process and is killed with SIGKILL while a probe's HTTP call is in
 * flight. Nothing in-process gets to run, so the only way the result can still arrive is the job
 * staying in BullMQ (its lock lapses) and the run being executed again under the same run id.
 */
describe('a bot killed -9 while a probe is running', () => {
  let slack: FakeSlack;
  let api: FakeBraiFlow;
  let schema: TestSchema;
  let prefix: string;
  let bot: BotProcess | null = null;
  const env = () => ({
    ...botEnv({ databaseUrl: schema.url, prefix }),
    ...slackEnv('xoxb-test-fault-probes', SECRET, slack.apiUrl),
    BRAIFLOW_API_URL: api.url,
    BRAIFLOW_STANDARD_USER_TOKEN: FAKE_TOKEN,
    // 127.0.0.1 is a private address: the probes refuse it unless it is listed.
    PROBE_ALLOWED_HOSTS: api.host,
  });

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    api = await new FakeBraiFlow().start();
    schema = await freshSchema();
    prefix = uniquePrefix();
  }, 30_000);
  afterAll(async () => {
    await bot?.stop();
    await api.stop();
    await slack.stop();
    await schema.drop();
    await dropPrefix(prefix);
  }, 30_000);

  it('loses no probe result: after a restart the killed check runs again, and is reported once, on the pinned header', async () => {
    bot = await startBot({ env: env() });
    api.pdf(PDF);
    // The API is slow to answer /me, so the call is still open when the bot dies; the bot is
    // killed the moment the request reaches the API, i.e. mid-probe, not before or after it.
    api.json('GET', ME, 200, { id: 'u_support', role: 'agent' }, 800);
    const slow = api.routes.get(`GET ${ME}`)!;
    const victim = bot;
    let fired = false;
    const killed = new Promise<void>((resolve) => {
      api.routes.set(`GET ${ME}`, (req, res) => {
        slow(req, res);
        if (fired) return;
        fired = true;
        void victim.kill('SIGKILL').then(resolve);
      });
    });

    const responseUrl = slack.responseUrl('fault-probes-kill');
    const body = new URLSearchParams({
      team_id: 'T0TEST',
      channel_id: 'CGENERAL',
      user_id: ALICE,
      command: '/incident',
      text: 'pdf-404 killed while probing',
      response_url: responseUrl,
      trigger_id: 'fault-probes-trigger-1',
    }).toString();
    const ack = await postSigned(bot.eventsUrl, SECRET, body, 'application/x-www-form-urlencoded');
    const number = Number(/^INC-(\d+) declared/.exec(JSON.parse(ack.body).text)?.[1]);
    expect(number).toBeGreaterThan(0);

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the probe never called ${ME} within 15 s\n--- bot output ---\n${victim.output()}`)), 15_000);
    });
    await Promise.race([killed, timeout]).finally(() => clearTimeout(timer));
    expect((await victim.exited).signal).toBe('SIGKILL');

    const runs = async () =>
      (
        await schema.pool.query<{ id: string; status: string }>(
          `SELECT r.id, r.status FROM probe_runs r JOIN incidents i ON i.id = r.incident_id WHERE i.number = $1 AND r.probe_id = 'me-standard-user'`,
          [number],
        )
      ).rows;
    // The kill landed mid-probe: the run is recorded, its result is not.
    const before = await runs();
    expect(before).toEqual([{ id: expect.any(String), status: 'queued' }]);
    const runId = before[0]!.id;

    api.json('GET', ME, 200, { id: 'u_support', role: 'agent' });
    bot = await startBot({ env: env(), port: victim.port });

    // The dead worker's lock lapses after 6 s; the new one finds the stalled job and runs it again.
    const after = await until(
      async () => {
        const rows = await runs();
        return rows.every((r) => r.status !== 'queued') ? rows : null;
      },
      'the killed probe run to finish after the restart',
      30_000,
    );
    expect(after).toEqual([{ id: runId, status: 'pass' }]);

    const channel = await slack.declaredChannel(responseUrl, 30_000);
    const header = await slack.waitFor(
      () => {
        const pin = slack.pins.find((p) => p.channel === channel);
        const pinned = pin && slack.messagesIn(channel).find((m) => m.ts === pin.ts);
        return pinned && JSON.stringify(pinned.blocks).includes('✅ _API /me as standard user_') ? pinned : null;
      },
      'the pinned header to show the /me check passed',
      15_000,
    );
    expect(JSON.stringify(header.blocks)).toMatch(/✅ _API \/me as standard user_: GET \/api\/v1\/me as standard-user: 200 in \d+ ms, role=agent/);

    await sleep(500); // a second report, if there were one, would land now
    const finished = await schema.pool.query(
      `SELECT e.data->>'status' AS status FROM incident_events e JOIN incidents i ON i.id = e.incident_id
        WHERE i.number = $1 AND e.kind = 'probe.finished' AND e.data->>'run' = $2`,
      [number, runId],
    );
    expect(finished.rows).toEqual([{ status: 'pass' }]);
    expect(await runs()).toHaveLength(1);
    expect(api.seen.filter((r) => r.path === ME)).toHaveLength(2); // the killed call, and the one rerun
  }, 50_000);
});

/**
 * Two worker processes of one deployment take jobs from the same queues. A probe calls a real
 * API on behalf of a real user account, so running it twice is not harmless: each run must be
 * executed by exactly one worker and reported once.
 */
describe('probes with two workers', () => {
  const N = 10;
  let api: FakeBraiFlow;
  let web: Harness;
  const workers: Harness[] = [];

  beforeAll(async () => {
    api = await new FakeBraiFlow().start();
    api.json('GET', ME, 200, { id: 'u_support', role: 'agent' });
    api.pdf(PDF);
    const env = { BRAIFLOW_API_URL: api.url, BRAIFLOW_STANDARD_USER_TOKEN: FAKE_TOKEN, PROBE_ALLOWED_HOSTS: api.host };
    web = await startHarness({ role: 'web', env });
    for (let i = 0; i < 2; i++) workers.push(await startHarness({ role: 'worker', share: web, env }));
  }, 30_000);
  afterAll(async () => {
    // Workers share the web harness's fake Slack, schema and prefix; it cleans those up last.
    for (const w of workers) await w.stop();
    await web?.stop();
    await api.stop();
  }, 30_000);

  it('runs each check of each incident exactly once and reports it once', async () => {
    // pdf-404 runs four checks on declare: /me, the invoice PDF, its queue and its bucket.
    const PROBES = 4;
    const acks = await Promise.all(Array.from({ length: N }, (_, i) => web.command(`pdf-404 two workers ${i}`, ALICE)));
    for (const a of acks) expect(a.body.text).toMatch(/^INC-\d+ declared/);

    const counts = () =>
      web.schema.pool
        .query<{ total: number; queued: number }>(`SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'queued')::int AS queued FROM probe_runs`)
        .then((r) => r.rows[0]!);
    await until(
      async () => {
        const c = await counts();
        return c.total === PROBES * N && c.queued === 0;
      },
      `all ${PROBES * N} probe runs to finish`,
      20_000,
    );
    await sleep(500); // a duplicate call or report, if there were one, would land now

    expect(api.seen.filter((r) => r.path === ME)).toHaveLength(N);
    expect(api.seen.filter((r) => r.path === PDF)).toHaveLength(N);
    expect(await counts()).toEqual({ total: PROBES * N, queued: 0 });
    const events = await web.schema.pool.query<{ runs: number; events: number }>(
      `SELECT count(DISTINCT e.data->>'run')::int AS runs, count(*)::int AS events FROM incident_events e
         JOIN probe_runs r ON r.id::text = e.data->>'run' WHERE e.kind = 'probe.finished'`,
    );
    expect(events.rows).toEqual([{ runs: PROBES * N, events: PROBES * N }]);
    expect((await web.schema.pool.query(`SELECT count(*)::int AS n FROM incident_events WHERE kind = 'probe.finished'`)).rows).toEqual([{ n: PROBES * N }]);

    // Between them the two workers completed each incident's probe job once (each counts its own),
    // and both took part: with one idle worker this would prove nothing about two.
    const completed = await Promise.all(
      workers.map(async (w) => {
        const text = await (await fetch(`${w.baseUrl}/metrics`)).text();
        const m = /^incident_bot_job_duration_seconds_count\{[^}]*kind="probe\.runs"[^}]*outcome="completed"[^}]*\} (\d+)/m.exec(text);
        return m ? Number(m[1]) : 0;
      }),
    );
    expect(completed.reduce((a, b) => a + b, 0)).toBe(N);
    for (const n of completed) expect(n).toBeGreaterThan(0);
  }, 40_000);
});
