import { startBot, type BotProcess } from '../support/bot-process';
import { botEnv } from '../support/bot-env';
import { freshSchema, type TestSchema } from '../support/db';
import { FakeConnector } from '../support/fake-connector';
import { dropPrefix, uniquePrefix } from '../support/redis';
import { alice, channelMessage, GENERAL_CHANNEL, INCIDENTS_CHANNEL, PEOPLE, postActivity, TEAM } from '../support/teams-activities';
import { cardText } from '../support/teams-cards';

/**
 * The Teams bot in its own process, killed with SIGKILL at each step of setting up an incident
 * while Teams holds its answer, so the bot dies before it hears it. After a restart the incident
 * must be whole: its thread recorded, with its header and checklist cards and the declarer told,
 * and its timeline without a duplicate. Teams' history cannot be searched, so a step Teams took
 * just before the kill is done again: the test counts those copies and bounds them at one.
 */
describe('a Teams bot killed -9 during incident setup', () => {
  let connector: FakeConnector;
  let schema: TestSchema;
  let prefix: string;
  let bot: BotProcess;
  const env = () => ({
    ...botEnv({ databaseUrl: schema.url, prefix }),
    TEAMS: 'on',
    TEAMS_INCIDENT_CHANNEL_ID: INCIDENTS_CHANNEL.id,
  });

  beforeAll(async () => {
    connector = await new FakeConnector().start();
    connector.setTeam(TEAM.id, { channels: [GENERAL_CHANNEL, INCIDENTS_CHANNEL], members: PEOPLE.map((p) => ({ ...p })) });
    schema = await freshSchema();
    prefix = uniquePrefix();
    bot = await startBot({ env: env() });
  }, 30_000);
  afterAll(async () => {
    connector.onArrive = null;
    await bot.stop();
    await connector.stop();
    await schema.drop();
    await dropPrefix(prefix);
  });

  it.each([
    ['opening its thread', 'POST', /^\/v3\/conversations$/, 1],
    ['posting the checklist', 'POST', /^\/v3\/conversations\/19[^/]*messageid[^/]*\/activities$/, 1],
    ['mentioning the declarer', 'POST', /^\/v3\/conversations\/19[^/]*messageid[^/]*\/activities$/, 2],
  ])(
    'ends with the incident whole when killed while %s',
    async (step, method, pathRe, nth) => {
      const summary = `killed while ${step}`;
      let seen = 0;
      const killed = new Promise<void>((resolve) => {
        connector.holdMs = 300;
        connector.onArrive = (m, p) => {
          if (m === method && pathRe.test(p.split('?')[0]!) && ++seen === nth) {
            connector.onArrive = null;
            void bot.kill('SIGKILL').then(resolve);
          }
        };
      });
      const origin = `${GENERAL_CHANNEL.id};messageid=${Date.now()}`;
      // The bot may die while it still answers the declare (setup runs beside the answer): that is fine,
      // the declare was recorded before the answer was sent.
      await postActivity(
        `${bot.baseUrl}/api/messages`,
        channelMessage({
          serviceUrl: connector.serviceUrl,
          text: `incident pdf-404 ${summary}`,
          from: alice,
          channel: GENERAL_CHANNEL,
          conversationId: origin,
        }),
      ).catch(() => undefined);
      await killed;
      connector.holdMs = 0;
      bot = await startBot({ env: env(), port: bot.port });

      const {
        rows: [incident],
      } = await schema.pool.query('SELECT id, number FROM incidents WHERE title = $1', [summary]);
      await connector.waitFor(() => connector.messages(origin).some((m) => /Work it in/.test(m.activity.text ?? '')), 30_000, 'the declarer told where');
      const thread = (await schema.pool.query('SELECT channel_id FROM incidents WHERE id = $1', [incident.id])).rows[0].channel_id as string;
      await connector.waitFor(
        () => connector.messages(thread).some((m) => /declared INC-/.test(m.activity.text ?? '')),
        10_000,
        'header, checklist and the declarer mentioned',
      );
      await new Promise((r) => setTimeout(r, 500));

      const inThread = connector.messages(thread);
      const headers = inThread.filter((m) => cardText(m.activity.attachments?.[0]?.content).startsWith(`INC-${incident.number} ·`));
      // A checklist's first card: a long one continues on more cards (part 2 of 2 …).
      const checklists = inThread.filter((m) => {
        const text = cardText(m.activity.attachments?.[0]?.content);
        return text.includes('checklist:') && (!text.includes('(part ') || text.includes('(part 1 of'));
      });
      const welcomes = inThread.filter((m) => /declared INC-/.test(m.activity.text ?? ''));
      expect(headers.map((m) => m.id)).toEqual([thread.split('messageid=')[1]]);
      expect(checklists.length).toBeGreaterThanOrEqual(1);
      expect(welcomes.length).toBeGreaterThanOrEqual(1);
      // The step Teams took as the bot died is the only one that can be done twice.
      const threads = [...connector.created.values()].filter((c) => JSON.stringify(c.params).includes(summary));
      const copies = { threads: threads.length, checklists: checklists.length, welcomes: welcomes.length };
      const redone = step === 'opening its thread' ? 'threads' : step === 'posting the checklist' ? 'checklists' : 'welcomes';
      for (const [what, n] of Object.entries(copies)) expect({ what, n }).toEqual({ what, n: what === redone ? n : 1 });
      expect(copies[redone]).toBeLessThanOrEqual(2);
      const { rows: opened } = await schema.pool.query(
        `SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND kind = 'incident.channel_opened'`,
        [incident.id],
      );
      expect(opened[0].n).toBe(1);
    },
    60_000,
  );
});
