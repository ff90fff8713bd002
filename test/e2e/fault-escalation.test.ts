import { rmSync } from 'node:fs';
import { startBot, type BotProcess } from '../support/bot-process';
import { botEnv, slackEnv } from '../support/bot-env';
import { freshSchema, type TestSchema } from '../support/db';
import { pagerEnv, quickLadderDir, seedWorkspace, webhookReceiver } from '../support/escalation-fixtures';
import { FakeSlack } from '../support/fake-slack';
import { dropPrefix, uniquePrefix } from '../support/redis';
import { postSigned } from '../support/signing';
import { sleep, until } from '../support/wait';

const SECRET = 'test-signing-secret-fault-escalation';
const ALICE = 'UALICE01';
const INCIDENTS = 6;
const LEVEL1_MS = 2_000;
const LEVEL2_MS = 4_000;

/**
 * Two bots (`--role all` twice, as separate processes) share Postgres, Redis and Slack. One is
 * killed with -9 just before the first level comes due; a new one starts in its place. Each level
 * of each incident must still fire once: one record, one message in its channel, one webhook call.
 */
describe('escalation with two bots, one killed -9 while levels are due', () => {
  let slack: FakeSlack;
  let schema: TestSchema;
  let prefix: string;
  let dir: string;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  const bots: BotProcess[] = [];
  const env = () => ({
    ...botEnv({ databaseUrl: schema.url, prefix, runbooksDir: dir }),
    ...slackEnv('xoxb-test-fault-escalation', SECRET, slack.apiUrl),
    ...pagerEnv(hook.url),
  });

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    seedWorkspace(slack);
    schema = await freshSchema();
    prefix = uniquePrefix();
    dir = quickLadderDir();
    hook = await webhookReceiver();
    bots.push(await startBot({ env: env() }), await startBot({ env: env() }));
    // Two bots built and started one after the other: slow on a busy 2-core machine.
  }, 60_000);
  afterAll(async () => {
    for (const b of bots) await b.stop();
    await slack.stop();
    await hook.stop();
    await schema.drop();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('fires each level of each incident once, however many bots and whichever dies', async () => {
    const declared = await Promise.all(
      Array.from({ length: INCIDENTS }, async (_, i) => {
        const body = new URLSearchParams({
          team_id: 'T0TEST',
          channel_id: 'CGENERAL',
          user_id: ALICE,
          command: '/incident',
          text: `pdf-404 two bots ${i}`,
          response_url: slack.responseUrl(`escalation-${i}`),
          trigger_id: `escalation-trigger-${i}`,
        }).toString();
        // Half the declares reach each bot.
        const res = await postSigned(bots[i % 2]!.eventsUrl, SECRET, body, 'application/x-www-form-urlencoded');
        return Number(/^INC-(\d+) declared/.exec(JSON.parse(res.body).text)?.[1]);
      }),
    );
    expect(declared.every((n) => n > 0)).toBe(true);

    // Just before level 1 is due, one bot dies without a word; another takes its place.
    await sleep(LEVEL1_MS - 300);
    await bots[0]!.kill('SIGKILL');
    bots[0] = await startBot({ env: env(), port: bots[0]!.port });

    const incidents = await until(
      async () => {
        const { rows } = await schema.pool.query<{ id: string; channel_id: string | null; levels: number }>(
          `SELECT i.id, i.channel_id, (SELECT count(*)::int FROM escalations e WHERE e.incident_id = i.id) AS levels FROM incidents i`,
        );
        return rows.length === INCIDENTS && rows.every((r) => r.levels === 2 && r.channel_id) ? rows : null;
      },
      'every incident to reach level 2',
      LEVEL2_MS + 30_000,
    );
    // Deliveries of a killed bot's jobs come back after their lock lapses: give them time to land twice, if they would.
    await until(
      async () => (await schema.pool.query(`SELECT 1 FROM outbox WHERE kind IN ('chat.escalate', 'webhook.call') AND done_at IS NULL`)).rowCount === 0,
      'every delivery to finish',
      30_000,
    );
    await sleep(1_000);

    const events = await schema.pool.query(`SELECT count(*)::int AS n FROM incident_events WHERE kind = 'escalation.fired'`);
    expect(events.rows[0].n).toBe(INCIDENTS * 2);
    for (const { id, channel_id } of incidents) {
      const paged = slack.messagesIn(channel_id!).filter((m) => /^⬆️ Escalated/.test(m.text));
      // Each level once; a killed bot's level-1 post may land after level 2 once its lock lapses.
      expect({ id, levels: paged.map((m) => /level (\d)/.exec(m.text)?.[1]).sort() }).toEqual({ id, levels: ['1', '2'] });
      const calls = hook.received.filter((r) => JSON.parse(r.body).incident.id === id);
      // Level 1 names the webhook: one delivery id, whatever was retried.
      expect(new Set(calls.map((c) => c.headers['x-incident-bot-delivery']))).toEqual(new Set([`${id}:trigger:1`]));
    }
  }, 90_000);
});
