import type { FakeSlack, LostAnswer } from '../support/fake-slack';
import { startHarness, type Harness } from '../support/harness';
import { stepButtons } from '../support/slack-blocks';
import { until } from '../support/wait';

const ALICE = 'UALICE01';

/** Loses the first answer to each distinct create or post, however often it is asked again. */
function loseFirstAnswers(slack: FakeSlack, how: LostAnswer, methods = ['conversations.create', 'chat.postMessage']): void {
  const seen = new Set<string>();
  slack.loseAnswer = (method, args) => {
    if (!methods.includes(method)) return false;
    const what =
      method === 'conversations.create'
        ? args.name
        : method === 'chat.update'
          ? `${args.channel}/${args.ts}`
          : `${args.channel}/${JSON.stringify(args.metadata)}`;
    const key = `${method} ${what}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return how;
  };
}

/** What a person would see of incidents declared with these summaries: their channels and messages. */
function summary(slack: FakeSlack, titles: string[]) {
  const channels = titles.map((t) => [...slack.channels.values()].filter((c) => c.topic.includes(t)));
  const kinds = (channel: string) => slack.messagesIn(channel).map((m) => String(m.metadata?.event_payload.kind));
  return {
    incidents: titles.length,
    withOneChannel: channels.filter((c) => c.length === 1).length,
    orphanChannels: [...slack.channels.values()].filter((c) => !c.id.startsWith('D') && slack.messagesIn(c.id).length === 0).length,
    duplicateHeaders: channels.filter((c) => c.some((ch) => kinds(ch.id).filter((k) => k === 'header').length > 1)).length,
    duplicateChecklists: channels.filter((c) => c.some((ch) => kinds(ch.id).filter((k) => k === 'checklist').length > 1)).length,
    missingMessages: channels.filter((c) => c.some((ch) => !kinds(ch.id).includes('header') || !kinds(ch.id).includes('checklist'))).length,
  };
}

async function declareAll(h: Harness, titles: string[]): Promise<void> {
  const urls = await Promise.all(titles.map(async (t) => (await h.command(`pdf-404 ${t}`, ALICE)).responseUrl));
  await h.slack.waitFor(
    () => urls.every((u) => h.slack.replies.some((r) => u.endsWith(r.path) && /declared\. Work it in <#C\w+>/.test(r.body.text))),
    'every declarer told where the channel is',
    45_000,
  );
}

describe('Slack performing a call and losing the answer', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it.each([
    ['the connection drops', 'reset' as const, 10],
    ['Slack answers 500', 500 as const, 3],
  ])(
    'opens one channel with one header and one checklist per incident when %s',
    async (_, how, n) => {
      loseFirstAnswers(h.slack, how);
      const titles = Array.from({ length: n }, (_, i) => `lost answer ${how} ${i}`);
      await declareAll(h, titles);
      expect(summary(h.slack, titles)).toEqual({
        incidents: n,
        withOneChannel: n,
        orphanChannels: 0,
        duplicateHeaders: 0,
        duplicateChecklists: 0,
        missingMessages: 0,
      });
      // Each under its first name (…-<number>), none moved on to …-<number>-2.
      const renamed = [...h.slack.channels.values()].filter((c) => !c.id.startsWith('D') && !c.name.endsWith(`-${/^INC-(\d+)/.exec(c.topic)?.[1]}`));
      expect(renamed.map((c) => c.name)).toEqual([]);
    },
    60_000,
  );

  it('moves to the next name when the name it wanted is someone else’s channel', async () => {
    h.slack.onArrive = (method, args) => {
      // Someone makes the very channel the bot is about to create, and its answer is lost.
      if (method === 'conversations.create' && !args.name.endsWith('-2')) h.slack.addChannel('CSOMEONE1', args.name);
    };
    h.slack.loseAnswer = (method, args) => (method === 'conversations.create' && args.name.endsWith('-2') ? 'reset' : false);
    await declareAll(h, ['name of someone else']);
    const mine = [...h.slack.channels.values()].filter((c) => c.topic.includes('name of someone else'));
    expect(mine.map((c) => c.name)).toEqual([expect.stringMatching(/-2$/)]);
    expect(h.slack.messagesIn('CSOMEONE1')).toEqual([]);
  }, 30_000);

  it('updates a message whose update answer was lost, without posting it again', async () => {
    await declareAll(h, ['lost update']);
    const channel = [...h.slack.channels.values()].find((c) => c.topic.includes('lost update'))!.id;
    const checklist = h.slack.messagesIn(channel)[1]!;
    loseFirstAnswers(h.slack, 'reset', ['chat.update']);
    const step = stepButtons(checklist.blocks)[0]!;
    expect(await h.click(ALICE, channel, checklist.ts, step.actionId, step.value)).toBe(200);
    await h.slack.waitFor(() => stepButtons(h.slack.messages.get(`${channel}/${checklist.ts}`)!.blocks)[0]!.label === 'Reopen', 'the update', 20_000);
    // Header and checklist only: the level-1 page at declare is a notice of its own.
    expect(h.slack.messagesIn(channel).filter((m) => m.metadata?.event_type === 'braiflow_incident_message')).toHaveLength(2);
  }, 30_000);
});

describe('Slack rate-limiting a method', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('holds every update until Retry-After has passed, then shows the latest state once', async () => {
    await declareAll(h, ['rate limited window']);
    const channel = [...h.slack.channels.values()].find((c) => c.topic.includes('rate limited window'))!.id;
    const [header, checklist] = h.slack.messagesIn(channel);
    // The shipped ladder pages level 1 at declare, and the header says so: let that update land
    // before the window, so every update inside it is one the clicks caused.
    await h.slack.waitFor(
      () => JSON.stringify(h.slack.messages.get(`${channel}/${header!.ts}`)!.blocks).includes('Level 1 paged'),
      'level 1 on the header',
      10_000,
    );
    const steps = stepButtons(checklist!.blocks).slice(0, 5);
    const before = h.slack.calls.length;
    h.slack.rateLimitFor('chat.update', 2);
    // Five clicks, five render jobs, all inside the window.
    for (const s of steps) expect(await h.click(ALICE, channel, checklist!.ts, s.actionId, s.value)).toBe(200);
    await h.slack.waitFor(
      () =>
        stepButtons(h.slack.messages.get(`${channel}/${checklist!.ts}`)!.blocks)
          .slice(0, 5)
          .every((b) => b.label === 'Reopen'),
      'every clicked step shown done',
      20_000,
    );
    const updates = h.slack.calls.slice(before).filter((c) => c.method === 'chat.update');
    const of = (ts: string) => updates.filter((c) => c.args.ts === ts && c.ok).length;
    expect({
      refused: updates.filter((c) => c.error === 'ratelimited').length,
      headerUpdates: of(header!.ts),
      checklistUpdates: of(checklist!.ts),
      // Ticking steps leaves the header as it was (working an incident is not acknowledging it).
    }).toEqual({ refused: 1, headerUpdates: 0, checklistUpdates: 1 });
  }, 30_000);
});

describe('a reminder whose answer was lost', () => {
  const BOB = 'UBOB0002';
  const DAY = 86_400_000;
  let now = Date.now();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clock: { now: () => new Date(now) } });
    h.slack.users.push({ id: BOB, name: 'bob' });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('is found in the direct message on the next try, not sent twice', async () => {
    await declareAll(h, ['lost reminder']);
    const channel = [...h.slack.channels.values()].find((c) => c.topic.includes('lost reminder'))!.id;
    h.slack.join(channel, BOB);
    const due = new Date(now).toISOString().slice(0, 10);
    expect((await h.command(`action add purge the CDN cache <@${BOB}|bob> due ${due}`, ALICE, channel)).body.text).toMatch(/^Added #1/);
    now += DAY;
    const dm = `D${BOB.slice(1)}`;
    h.slack.loseAnswer = (method, args) => (method === 'chat.postMessage' && args.channel === dm ? 'reset' : false);
    const schedules = h.runtime.queues.queues.schedules;
    await schedules.add('actions.remind', {}, { jobId: 'remind-lost' });
    await h.slack.waitFor(() => h.slack.calls.some((c) => c.method === 'chat.postMessage' && c.args.channel === dm), 'the reminder sent');
    h.slack.loseAnswer = null;
    // The job fails on the lost answer and BullMQ tries it again; that try must look first.
    await until(async () => (await schedules.getJobState('remind-lost')) === 'completed', 'the reminder job done', 30_000);
    expect(h.slack.messagesIn(dm).filter((m) => m.text.includes('purge the CDN cache'))).toHaveLength(1);
  }, 45_000);
});
