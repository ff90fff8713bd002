import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { alice, carol, GENERAL_CHANNEL } from '../support/teams-activities';
import { cardActions, cardSchemaProblems } from '../support/teams-cards';
import { until } from '../support/wait';

jest.setTimeout(60_000);

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness({ env: { TEAMS_ADMINS: carol.aadObjectId } });
});
afterAll(async () => {
  await h?.stop();
});

/** Declares and returns the incident's thread and its header card, found by what the header says. */
async function declare(summary: string) {
  expect((await h.say(`incident pdf-404 ${summary}`, alice, { channel: GENERAL_CHANNEL })).status).toBe(200);
  const incident = async () => (await h.schema.pool.query(`SELECT id, channel_id FROM incidents WHERE summary = $1`, [summary])).rows[0];
  const { id: incidentId, channel_id: thread } = await until(async () => ((await incident())?.channel_id ? incident() : null), 'the thread', 10_000);
  const header = await h.connector.waitFor(
    () =>
      h.connector
        .messages()
        .find((m) => cardActions(m.activity.attachments?.[0]?.content).some((a) => a.payload?.i === incidentId && a.payload?.a === 'resolve')),
    10_000,
    'the header card',
  );
  return { incidentId: incidentId as string, thread: thread as string, header };
}

const row = async (id: string) =>
  (await h.schema.pool.query('SELECT status, validation_confirmed, validated_checks FROM incidents WHERE id = $1', [id])).rows[0];

test("the header card's Resolve shows a toggle per check; sending them all resolves and records them, one left off is refused by name", async () => {
  const inc = await declare('invoices 404 in teams');
  const content = inc.header.activity.attachments[0].content;
  expect(cardSchemaProblems(content)).toEqual([]);
  const showCard = content.actions.find((a: any) => a.title === 'Resolve');
  expect(showCard.type).toBe('Action.ShowCard');
  const toggles = showCard.card.body.filter((e: any) => e.type === 'Input.Toggle').map((e: any) => e.id);
  expect(toggles).toEqual(['check-1', 'check-2', 'check-3', 'check-4']);
  const submit = cardActions(showCard.card)[0]!;

  // Teams merges the card's inputs into the action's data.
  const partly = await h.click(alice, inc.thread, inc.header.id, {
    verb: submit.verb,
    data: { ...submit.data, 'check-1': 'true', 'check-2': 'true', 'check-3': 'false', 'check-4': 'true' },
  });
  expect(partly.body.type).toBe('application/vnd.microsoft.activity.message');
  expect(partly.body.value).toMatch(/is not resolved: confirm every quick validation check first\. Not confirmed: 3\. INV-SMOKE-0001 downloads in the UI/);
  expect((await row(inc.incidentId)).status).toBe('declared');

  const all = await h.click(alice, inc.thread, inc.header.id, {
    verb: submit.verb,
    data: { ...submit.data, 'check-1': 'true', 'check-2': 'true', 'check-3': 'true', 'check-4': 'true', resolution: 'restored the <b>bucket</b> policy' },
  });
  // The clicker sees the header as it now is: resolved, with no Resolve left.
  expect(all.body.type).toBe('application/vnd.microsoft.card.adaptive');
  expect(cardActions(all.body.value).some((a) => a.payload?.a === 'resolve')).toBe(false);
  expect(await row(inc.incidentId)).toEqual({ status: 'resolved', validation_confirmed: true, validated_checks: [1, 2, 3, 4] });
  const { rows } = await h.schema.pool.query(`SELECT resolution FROM incidents WHERE id = $1`, [inc.incidentId]);
  expect(rows[0].resolution).toBe('restored the <b>bucket</b> policy'); // hostile text stays text
});
