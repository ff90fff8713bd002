import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { alice, bob, GENERAL_CHANNEL } from '../support/teams-activities';
import { cardActions, cardSchemaProblems } from '../support/teams-cards';
import { until } from '../support/wait';

jest.setTimeout(60_000);

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness();
});
afterAll(async () => {
  await h?.stop();
});

const stored = async (id: string) => (await h.schema.pool.query('SELECT * FROM postmortems WHERE incident_id = $1', [id])).rows[0];

test("the follow-up card's Edit analysis shows an input per part, prefilled; sending it stores them and answers with the card as it now is", async () => {
  const summary = 'teams invoices 404 for the analysis';
  expect((await h.say(`incident pdf-404 ${summary}`, alice, { channel: GENERAL_CHANNEL })).status).toBe(200);
  const incident = async () => (await h.schema.pool.query(`SELECT id, channel_id FROM incidents WHERE summary = $1`, [summary])).rows[0];
  const { id, channel_id: thread } = await until(async () => ((await incident())?.channel_id ? incident() : null), 'the thread', 10_000);
  expect((await h.say('resolve --validated rolled back the key change', alice, { conversationId: thread, channel: GENERAL_CHANNEL })).status).toBe(200);
  await until(async () => (await stored(id))?.status === 'draft', 'the post-mortem', 10_000);
  expect((await h.say('analysis impact some <b>tenants</b> saw 404s', alice, { conversationId: thread, channel: GENERAL_CHANNEL })).status).toBe(200);

  const followUp = await h.connector.waitFor(
    () => h.connector.messages(thread).find((m) => JSON.stringify(m.activity.attachments?.[0]?.content ?? {}).includes('Analysis missing: Root cause')),
    10_000,
    'the follow-up card',
  );
  const content = followUp.activity.attachments[0].content;
  expect(cardSchemaProblems(content)).toEqual([]);
  const edit = findShowCard(content, 'Edit analysis');
  const inputs = edit.card.body.filter((e: any) => e.type === 'Input.Text');
  expect(inputs.map((e: any) => [e.id, e.label, e.isMultiline])).toEqual([
    ['impactSummary', 'Impact', true],
    ['rootCause', 'Root cause', true],
    ['causeCategory', 'Cause category', false],
    ['contributingFactors', 'Contributing factors', true],
    ['wentWell', 'What went well', true],
    ['wentBadly', 'What went badly', true],
    ['lessons', 'Lessons', true],
  ]);
  expect(inputs[0].value).toBe('some <b>tenants</b> saw 404s'); // an input's value is shown as typed
  const submit = cardActions(edit.card)[0]!;
  expect(submit.payload).toEqual({ a: 'analysis', i: id });

  // Someone who is neither owner, commander nor admin is refused, and nothing is written.
  const refused = await h.click(bob, thread, followUp.id, { verb: submit.verb, data: { ...submit.data, rootCause: 'not mine to say' } });
  expect(refused.body.value).toMatch(/^Only the post-mortem owner/);
  expect((await stored(id)).root_cause).toBeNull();

  // Teams merges the card's inputs into the action's data.
  const sent = await h.click(alice, thread, followUp.id, {
    verb: submit.verb,
    data: {
      ...submit.data,
      impactSummary: 'some <b>tenants</b> saw 404s',
      rootCause: 'keys rotated',
      causeCategory: 'storage-keys-rotated',
      lessons: 'n/a',
      wentWell: '',
    },
  });
  expect(sent.body.type).toBe('application/vnd.microsoft.card.adaptive');
  expect(JSON.stringify(sent.body.value)).toContain('Analysis missing: Contributing factors, What went well, What went badly.');
  expect(await stored(id)).toMatchObject({
    impact_summary: 'some <b>tenants</b> saw 404s',
    root_cause: 'keys rotated',
    cause_category: 'storage-keys-rotated',
    lessons: 'n/a',
    went_well: null,
    analysis_updated_by: alice.aadObjectId,
  });
});

function findShowCard(node: any, title: string): any {
  if (Array.isArray(node)) return node.map((n) => findShowCard(n, title)).find(Boolean);
  if (!node || typeof node !== 'object') return undefined;
  if (node.type === 'Action.ShowCard' && node.title === title) return node;
  return Object.values(node)
    .map((v) => findShowCard(v, title))
    .find(Boolean);
}
