import { startHarness, type Harness } from '../support/harness';
import { stepButtons } from '../support/slack-blocks';
import { postgresProxy, type TcpProxy } from '../support/tcp-proxy';

const ALICE = 'UALICE01';
const BOB = 'UBOB0003';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Postgres goes silent (a hung server, a black-holed route) behind a TCP proxy, with work in
 * flight, and comes back: the bot must not stay stuck on the connections that were waiting, nor
 * hang its readiness probe while Postgres is silent.
 */
describe('Postgres stalls while the bot is working', () => {
  let h: Harness;
  let proxy: TcpProxy;
  // An incident set up before the trouble starts, whose checklist is clicked during a stall.
  let warm: { channel: string; checklist: { ts: string; blocks: any[] } };

  function channelReply(responseUrl: string, ms = 10_000) {
    return h.slack.channelLinkReply(responseUrl, ms);
  }

  async function readyz(): Promise<{ status: number; body: { status: string; checks: Record<string, string> }; ms: number }> {
    const started = Date.now();
    const res = await fetch(`${h.baseUrl}/readyz`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { status: string; checks: Record<string, string> };
    return { status: res.status, body, ms: Date.now() - started };
  }

  /** A declare made now is acked as recorded and its declarer gets the channel within a few seconds. */
  async function expectDeclareWorks(summary: string): Promise<void> {
    const started = Date.now();
    const res = await h.command(`pdf-404 ${summary}`, ALICE);
    expect(res.body.text).toMatch(/^INC-\d+ declared/);
    const reply = await channelReply(res.responseUrl, 8_000);
    expect(reply.body.text).toMatch(/^INC-\d+ declared\. Work it in <#C\w+>/);
    expect(Date.now() - started).toBeLessThan(5_000);
  }

  beforeAll(async () => {
    proxy = await postgresProxy();
    h = await startHarness({ postgresProxy: proxy });
    // Also warms every pool, so the stalls below meet open connections, not just new ones.
    const res = await h.command('pdf-404 set up before the stall', ALICE);
    const channel = /<#(C\w+)>/.exec((await channelReply(res.responseUrl)).body.text)![1]!;
    const checklist = await h.slack.waitFor(() => h.slack.messagesIn(channel)[1], 'the checklist');
    warm = { channel, checklist };
  }, 20_000);
  afterEach(() => {
    // A failed test must not leave Postgres silent for the next one.
    proxy?.heal();
  });
  afterAll(async () => {
    proxy?.heal();
    await h?.stop();
    await proxy?.stop();
  }, 20_000);

  it('answers /readyz within 3 s during a stall, with 503 naming Postgres, instead of hanging', async () => {
    proxy.stall();
    const during = await readyz();
    expect(during.ms).toBeLessThan(3_000);
    expect(during.status).toBe(503);
    expect(during.body.status).toBe('not ready: postgres not answering');
    expect(during.body.checks.postgres).toMatch(/^down: /);
    proxy.heal();
  });

  it('finishes what was in flight during a 3 s stall that heals, and sets up new incidents within seconds', async () => {
    const step = stepButtons(warm.checklist.blocks)[0]!;
    proxy.stall();
    const stalledAt = Date.now();
    // A declare, and a click by the declarer (a channel member), arrive while Postgres is silent.
    const inFlight = h.command('pdf-404 declared during the stall', BOB);
    const click = h.click(ALICE, warm.channel, warm.checklist.ts, step.actionId, step.value);
    await sleep(3_000 - (Date.now() - stalledAt));
    proxy.heal();

    // The declare's statement was on its way: it lands, and its declarer gets the channel after all.
    const declared = await inFlight;
    expect(declared.body.text).toMatch(/^\*I could not confirm the incident was recorded\*/);
    expect((await channelReply(declared.responseUrl)).body.text).toMatch(/^INC-\d+ declared\. Work it in <#C\w+>/);
    // The click was taken, and the checklist shows it.
    expect(await click).toBe(200);
    await h.slack.waitFor(
      () => stepButtons(h.slack.messages.get(`${warm.channel}/${warm.checklist.ts}`)!.blocks)[0]!.label === 'Reopen',
      'the checklist to show the step clicked during the stall',
    );

    // The relay is not stuck on the connections the stall held.
    await expectDeclareWorks('declared after the stall healed');
    const after = await readyz();
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('ready');
  }, 25_000);

  it('recovers when a stall ends with every connection cut', async () => {
    proxy.stall();
    // Probes and relay passes pile up on silent connections, and new ones are opened into the stall.
    const probe = readyz();
    await sleep(1_500);
    proxy.drop();
    await sleep(1_000);
    proxy.heal();
    expect((await probe).status).toBe(503);

    // No broken connection is handed to the next request: a new declare is recorded and set up.
    await expectDeclareWorks('declared after connections were cut');
    const after = await readyz();
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('ready');
  }, 25_000);
});
