import { startBot, type BotProcess } from '../support/bot-process';
import { botEnv, slackEnv } from '../support/bot-env';
import { freshSchema, type TestSchema } from '../support/db';
import { FakeSlack } from '../support/fake-slack';
import { dropPrefix, uniquePrefix } from '../support/redis';
import { postSigned } from '../support/signing';

const SECRET = 'test-signing-secret-kill-setup';
const ALICE = 'UALICE01';

/**
 * The bot runs in its own process and is killed with SIGKILL at each step of setting up an
 * incident, while Slack is slow to answer that step (so the call lands after the bot died). After
 * a restart, each incident must end with exactly one channel, one pinned header and one checklist.
 */
describe('a bot killed -9 during incident setup', () => {
  let slack: FakeSlack;
  let schema: TestSchema;
  let prefix: string;
  let bot: BotProcess;
  let seq = 0;
  const env = () => ({
    ...botEnv({ databaseUrl: schema.url, prefix }),
    ...slackEnv('xoxb-test-kill-setup', SECRET, slack.apiUrl),
  });

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    schema = await freshSchema();
    prefix = uniquePrefix();
    bot = await startBot({ env: env() });
  }, 30_000);
  afterAll(async () => {
    slack.onArrive = null;
    await bot.stop();
    await slack.stop();
    await schema.drop();
    await dropPrefix(prefix);
  });

  async function declare(summary: string): Promise<{ number: number; responseUrl: string }> {
    const responseUrl = slack.responseUrl(`kill-${++seq}`);
    const body = new URLSearchParams({
      team_id: 'T0TEST',
      channel_id: 'CGENERAL',
      user_id: ALICE,
      command: '/incident',
      text: `pdf-404 ${summary}`,
      response_url: responseUrl,
      trigger_id: `kill-trigger-${seq}`,
    }).toString();
    const res = await postSigned(bot.eventsUrl, SECRET, body, 'application/x-www-form-urlencoded');
    const number = Number(/^INC-(\d+) declared/.exec(JSON.parse(res.body).text)?.[1]);
    expect(number).toBeGreaterThan(0);
    return { number, responseUrl };
  }

  it.each([
    ['creating its channel', 'conversations.create', 1],
    ['inviting the declarer', 'conversations.invite', 1],
    ['posting the header', 'chat.postMessage', 1],
    ['pinning the header', 'pins.add', 1],
    ['posting the checklist', 'chat.postMessage', 2],
  ])(
    'ends with one channel, one pinned header and one checklist when killed while %s',
    async (_step, method, nth) => {
      // Slack takes its time over this step; the bot dies the moment the call reaches Slack.
      slack.delayMs.set(method, 300);
      let seen = 0;
      const killed = new Promise<void>((resolve) => {
        slack.onArrive = (m) => {
          if (m === method && ++seen === nth) {
            slack.onArrive = null;
            void bot.kill('SIGKILL').then(resolve);
          }
        };
      });
      const { number, responseUrl } = await declare(`killed while ${method} #${nth}`);
      await killed;
      slack.delayMs.delete(method);
      bot = await startBot({ env: env(), port: bot.port });

      const channel = await slack.declaredChannel(responseUrl, 30_000);
      await slack.waitFor(() => slack.messagesIn(channel).length >= 2 && slack.pins.some((p) => p.channel === channel), 'header, checklist and pin');
      await new Promise((r) => setTimeout(r, 500)); // anything still in flight lands now

      const mine = [...slack.channels.values()].filter((c) => c.topic.startsWith(`INC-${number} ·`));
      expect(mine.map((c) => c.id)).toEqual([channel]);
      // Setup's own messages: the level-1 page at declare and its notices are said once by their own keys.
      const messages = slack.messagesIn(channel).filter((m) => m.metadata?.event_type === 'braiflow_incident_message');
      expect(messages.filter((m) => m.blocks[0]?.type === 'header')).toHaveLength(1);
      expect(messages.filter((m) => m.blocks[0]?.type !== 'header')).toHaveLength(1);
      const notices = slack.messagesIn(channel).filter((m) => m.metadata?.event_type === 'braiflow_incident_notice');
      expect(notices.map((m) => m.metadata?.event_payload?.key)).toEqual([...new Set(notices.map((m) => m.metadata?.event_payload?.key))]);
      expect(slack.pins.filter((p) => p.channel === channel)).toEqual([{ channel, ts: messages.find((m) => m.blocks[0]?.type === 'header')!.ts }]);
      expect(slack.channels.get(channel)!.members.has(ALICE)).toBe(true);
      const { rows } = await schema.pool.query('SELECT channel_id FROM incidents WHERE number = $1', [number]);
      expect(rows).toEqual([{ channel_id: channel }]);
    },
    45_000,
  );
});
