import { startHarness, type Harness } from '../support/harness';
import { startRedisServer, type RedisServer } from '../support/redis-server';

const ALICE = 'UALICE01';
const BOB = 'UBOB0001';
// The relay asks Redis about relayed, unfinished rows this soon (30 s in production), so the
// loss of a job is noticed within the test's time; what it does then is what production does.
const SWEEPS = { vanishedAfterMs: 500 };

interface OutboxState {
  dedupe_key: string;
  relayed_at: Date | null;
  done_at: Date | null;
}

/**
 * Redis is restarted without persistence while a setup job waits in it: the job is gone, but the
 * outbox row still says it is not done, so the relay queues it again and the incident gets its
 * channel. A declare made while Redis is down is taken too (web role: it waits in the outbox).
 */
describe('Redis restarted empty while a setup job waited in it', () => {
  let redis: RedisServer | null = null;
  let web: Harness | null = null;
  let worker: Harness | null = null;

  afterAll(async () => {
    // The worker shares the web harness's fake Slack, schema and prefix; the web harness frees them.
    await worker?.stop();
    await web?.stop();
    await redis?.kill('SIGKILL');
  }, 30_000);

  async function provisionRow(number: number): Promise<OutboxState | undefined> {
    const { rows } = await web!.schema.pool.query<OutboxState>(
      `SELECT o.dedupe_key, o.relayed_at, o.done_at FROM outbox o JOIN incidents i ON i.id = o.incident_id
       WHERE i.number = $1 AND o.kind = 'chat.provision'`,
      [number],
    );
    return rows[0];
  }

  async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await check();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  function channelReply(responseUrl: string) {
    return web!.slack.channelLinkReply(responseUrl, 20_000);
  }

  /** Exactly one channel for the incident, holding its header and its checklist. */
  async function expectOneSetUpChannel(number: number, channel: string): Promise<void> {
    const slack = web!.slack;
    await slack.waitFor(
      () => slack.messagesIn(channel).length >= 2 && slack.pins.some((p) => p.channel === channel),
      `INC-${number}'s header, checklist and pin`,
    );
    const mine = [...slack.channels.values()].filter((c) => c.topic.startsWith(`INC-${number} ·`));
    expect(mine.map((c) => c.id)).toEqual([channel]);
    // Setup's own messages: the level-1 page at declare and its notices are said once by their own keys.
    const messages = slack.messagesIn(channel).filter((m) => m.metadata?.event_type === 'braiflow_incident_message');
    expect(messages.filter((m) => m.blocks[0]?.type === 'header')).toHaveLength(1);
    expect(messages.filter((m) => m.blocks[0]?.type !== 'header')).toHaveLength(1);
  }

  it('still gives the declarer their channel, once, and takes a declare made while Redis was down', async () => {
    redis = await startRedisServer();
    const port = redis.port;
    // Web only: nothing runs the job, so it is certain to be waiting in Redis when Redis dies.
    web = await startHarness({ role: 'web', redisUrl: redis.url, sweeps: SWEEPS });

    const first = await web.command('pdf-404 job lost with redis', ALICE);
    const firstNumber = Number(/^INC-(\d+) declared/.exec(first.body.text)?.[1]);
    expect(firstNumber).toBeGreaterThan(0);
    const relayed = await until('the setup job to reach Redis', async () => {
      const row = await provisionRow(firstNumber);
      return row?.relayed_at ? row : null;
    });
    expect(relayed.done_at).toBeNull();
    // The job really is in Redis, waiting (setup jobs wait behind renders, in BullMQ's prioritized set): the restart below is what loses it.
    expect(await web.runtime.queues.state('chat.provision', relayed.dedupe_key)).toBe('prioritized');

    await redis.kill('SIGKILL');

    // With Redis gone, a declare is still recorded and acked: it waits in the outbox.
    const started = Date.now();
    const second = await web.command('pdf-404 declared while redis was down', BOB);
    expect(Date.now() - started).toBeLessThan(3_000); // inside Slack's ack deadline
    const secondNumber = Number(/^INC-(\d+) declared/.exec(second.body.text)?.[1]);
    expect(secondNumber).toBeGreaterThan(firstNumber);
    // The web process stays ready (declares still land) and says Redis is down; asked only now, so
    // the relay has spent a while failing against the dead Redis before it comes back.
    const ready = await fetch(`${web.baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.redis).toMatch(/^down: .*\(declares wait in the outbox\)$/);

    redis = await startRedisServer({ port });
    worker = await startHarness({ role: 'worker', share: web, redisUrl: redis.url, sweeps: SWEEPS });

    // Both declarers are told where to work, as if Redis had never restarted.
    const firstReply = await channelReply(first.responseUrl);
    expect(firstReply.body.text).toMatch(new RegExp(`^INC-${firstNumber} declared\\. Work it in <#C\\w+>`));
    const secondReply = await channelReply(second.responseUrl);
    expect(secondReply.body.text).toMatch(new RegExp(`^INC-${secondNumber} declared\\. Work it in <#C\\w+>`));

    await expectOneSetUpChannel(firstNumber, /<#(C\w+)>/.exec(firstReply.body.text)![1]!);
    await expectOneSetUpChannel(secondNumber, /<#(C\w+)>/.exec(secondReply.body.text)![1]!);

    // The outbox rows end done: the relay does not keep re-queuing a finished setup.
    for (const n of [firstNumber, secondNumber]) {
      const row = await until(`INC-${n}'s outbox row to be done`, async () => {
        const r = await provisionRow(n);
        return r?.done_at ? r : null;
      });
      expect(row.relayed_at).not.toBeNull();
    }
    // Nothing in flight lands a second channel or message afterwards.
    await new Promise((r) => setTimeout(r, 500));
    expect(web.slack.callsOf('conversations.create')).toHaveLength(2);
    for (const { responseUrl } of [first, second]) {
      expect(web.slack.replies.filter((r) => responseUrl.endsWith(r.path) && /<#C\w+>/.test(r.body.text))).toHaveLength(1);
    }
  }, 40_000);
});
