import { quickLadderDir } from '../support/escalation-fixtures';
import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { alice, bob, carol, GENERAL_CHANNEL } from '../support/teams-activities';
import { sleep, until } from '../support/wait';
import { cardActions, cardText } from '../support/teams-cards';

jest.setTimeout(60_000);

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness({
    runbooksDir: quickLadderDir([
      { after: '1s', notify: ['@bob', '@nobody-here'] },
      { after: '3s', notify: ['@carol'] },
    ]),
  });
});
afterAll(async () => {
  await h?.stop();
});

test('a level that fires mentions its people in the thread, messages each of them 1:1 once, and says whom it could not reach', async () => {
  await h.say('incident pdf-404 invoices 404', alice, { channel: GENERAL_CHANNEL });
  const thread = (await h.connector.waitFor(() => [...h.connector.created.values()].find((c) => c.id.includes(';messageid=')), 10_000)).id;
  const paged = await h.connector.waitFor(
    () => h.connector.messages(thread).find((m) => /Escalated INC-\d+ to level 1/.test(m.activity.text ?? '')),
    15_000,
    'level 1',
  );
  expect(paged.mentions).toEqual([expect.objectContaining({ id: bob.id, name: 'Bob Okafor' })]);
  const chat = `a:personal-${bob.id}`;
  // The 1:1 page is a card carrying the page's Acknowledge.
  const dm = await h.connector.waitFor(
    () => h.connector.messages(chat).find(() => h.connector.cards(chat).some((c) => /called in at escalation level 1/.test(cardText(c)))),
    10_000,
    'the 1:1 message',
  );
  const page = h.connector.cards(chat)[0]!;
  expect(JSON.stringify(page)).toContain('https://teams.microsoft.com/l/message/');
  const ack = cardActions(page).find((a) => a.title === 'Acknowledge')!;
  expect(ack.payload).toMatchObject({ a: 'ack' });
  const missed = await h.connector.waitFor(() => h.connector.messages(thread).find((m) => /could not reach/.test(m.activity.text ?? '')), 10_000);
  expect(missed.activity.text).toContain('@nobody-here');
  expect(missed.activity.text).toContain('pdf-404.yaml');

  // Bob acknowledges from the 1:1 page before level 2 is due: nobody else is paged.
  expect((await h.click(bob, chat, dm.id, ack)).status).toBe(200);
  const acked = await h.schema.pool.query(`SELECT acknowledged_via FROM incidents`);
  expect(acked.rows).toEqual([{ acknowledged_via: 'button' }]);
  await sleep(3_500);
  expect(h.connector.messages(`a:personal-${carol.id}`)).toEqual([]);
  expect(h.connector.messages(thread).filter((m) => /to level/.test(m.activity.text ?? ''))).toHaveLength(1);
  expect(h.connector.messages(chat)).toHaveLength(1);
  const { rows } = await h.schema.pool.query('SELECT level FROM escalations');
  expect(rows).toEqual([{ level: 1 }]);
});

test('the on-call declaring their own incident in Teams acknowledged it by declaring: nobody is paged', async () => {
  // Bob is level 1's @bob: his own declare is his acknowledgement.
  await h.say('incident pdf-404 bob saw it first', bob, { channel: GENERAL_CHANNEL });
  const row = await until(
    async () => {
      const { rows } = await h.schema.pool.query(`SELECT id, acknowledged_at, acknowledged_via, declared_at FROM incidents WHERE title = 'bob saw it first'`);
      return rows[0]?.acknowledged_at ? rows[0] : undefined;
    },
    'the acknowledgement by declaring',
    10_000,
  );
  expect(row.acknowledged_via).toBe('declare');
  expect(row.acknowledged_at).toEqual(row.declared_at);
  await sleep(1_500);
  const { rows } = await h.schema.pool.query('SELECT level FROM escalations WHERE incident_id = $1', [row.id]);
  expect(rows).toEqual([]);
});
