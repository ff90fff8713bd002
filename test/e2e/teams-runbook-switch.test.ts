import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { alice, bob, GENERAL_CHANNEL } from '../support/teams-activities';
import { cardActions, cardSchemaProblems, cardText } from '../support/teams-cards';
import { until } from '../support/wait';

jest.setTimeout(60_000);

// alice declares, so leads the incident; bob is in the team but neither commander, declarer nor admin.
let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness();
});
afterAll(async () => {
  await h?.stop();
});

const cardOf = (m: { activity: any }) => m.activity.attachments?.[0]?.content;

/** Declares a pdf-404 incident; returns its thread, its header and its (first) checklist message. */
async function declare(summary: string) {
  expect((await h.say(`incident pdf-404 ${summary}`, alice, { channel: GENERAL_CHANNEL })).status).toBe(200);
  const incident = async () => (await h.schema.pool.query(`SELECT * FROM incidents WHERE summary = $1`, [summary])).rows[0];
  const row = await until(async () => ((await incident())?.channel_id ? incident() : null), 'the thread', 10_000);
  const thread = row.channel_id as string;
  const header = await h.connector.waitFor(
    () => h.connector.messages(thread).find((m) => cardActions(cardOf(m)).some((a) => a.payload?.i === row.id && a.payload?.a === 'resolve')),
    10_000,
    'the header card',
  );
  const checklist = await h.connector.waitFor(
    () => h.connector.messages(thread).find((m) => cardActions(cardOf(m)).some((a) => a.payload?.i === row.id && a.payload?.a === 'step')),
    10_000,
    'the checklist card',
  );
  return { id: row.id as string, row, thread, header, checklist };
}

/** The header card's Switch runbook form: the choices offered and the button that sends the pick. */
function switchForm(card: any) {
  const show = (card.actions as any[]).find((a) => a.title === 'Switch runbook');
  expect(show).toMatchObject({ type: 'Action.ShowCard' });
  const choices = show.card.body.find((e: any) => e.type === 'Input.ChoiceSet');
  const submit = show.card.actions[0];
  return { choices: choices.choices as Array<{ title: string; value: string }>, inputId: choices.id as string, submit };
}

const events = async (id: string, kind: string) =>
  (await h.schema.pool.query('SELECT actor, data FROM incident_events WHERE incident_id = $1 AND kind = $2 ORDER BY id', [id, kind])).rows;

test("the header card's Switch runbook keeps one incident: one thread, the new class, the new checklist posted and the old one read-only", async () => {
  const inc = await declare('invoices 404 switched in teams');
  const header = cardOf(inc.header);
  expect(cardSchemaProblems(header)).toEqual([]);
  const form = switchForm(header);
  expect(form.choices.map((c) => c.title.split(':')[0])).toEqual(['general', 'queue-failure', 'storage-permissions', 'workflow-500']);
  const storage = form.choices.find((c) => c.title.startsWith('storage-permissions:'))!;

  // Teams merges the picked choice into the Switch button's data.
  const res = await h.click(alice, inc.thread, inc.header.id, { verb: form.submit.verb, data: { ...form.submit.data, [form.inputId]: storage.value } });
  expect(res.status).toBe(200);
  // The clicker is told, as after the command; the cards follow for everyone.
  expect(res.body.type).toBe('application/vnd.microsoft.activity.message');
  expect(res.body.value).toMatch(/^INC-\d+ now follows Object storage access denied/);

  // One incident, same thread and declaration; the class follows the runbook.
  const rows = (await h.schema.pool.query('SELECT * FROM incidents WHERE summary = $1', ['invoices 404 switched in teams'])).rows;
  expect(rows).toHaveLength(1);
  expect(rows[0]).toEqual(
    expect.objectContaining({ id: inc.id, channel_id: inc.thread, playbook_id: 'storage-permissions', class: 'storage', declared_at: inc.row.declared_at }),
  );
  const changed = await events(inc.id, 'runbook.changed');
  expect(changed).toEqual([{ actor: alice.aadObjectId, data: expect.objectContaining({ from: 'pdf-404', to: 'storage-permissions', class: 'storage' }) }]);

  // The new checklist is a new message in the same thread, with its working buttons.
  const second = await h.connector.waitFor(
    () => h.connector.messages(inc.thread).find((m) => m.id !== inc.checklist.id && /checklist: Object storage access denied/.test(cardText(cardOf(m)))),
    10_000,
    'the new checklist',
  );
  const steps = cardActions(cardOf(second)).filter((a) => a.payload?.a === 'step');
  expect(steps.length).toBeGreaterThan(0);
  expect(steps.every((a) => a.payload?.a === 'step' && a.payload.g === 2)).toBe(true);
  // The old checklist is the same message, updated read-only: no buttons, and what replaced it.
  const old = await h.connector.waitFor(
    () => {
      const m = h.connector.message(inc.checklist.id)!;
      return cardText(cardOf(m)).includes('Replaced by') ? m : null;
    },
    10_000,
    'the old checklist marked replaced',
  );
  expect(cardText(cardOf(old))).toContain('checklist: Generated PDFs');
  expect(cardActions(cardOf(old))).toEqual([]);
  // One header, updated in place; nothing else opened a thread for this incident.
  // The header names the new runbook and offers pdf-404 back.
  const updated = await h.connector.waitFor(
    () => {
      const card = cardOf(h.connector.message(inc.header.id)!);
      return cardText(card).includes('(storage-permissions)') ? card : null;
    },
    10_000,
    'the header updated',
  );
  expect(switchForm(updated).choices.map((c) => c.title.split(':')[0])).toEqual(['general', 'pdf-404', 'queue-failure', 'workflow-500']);
  const headers = h.connector.messages(inc.thread).filter((m) => cardActions(cardOf(m)).some((a) => a.payload?.i === inc.id && a.payload?.a === 'resolve'));
  expect(headers.map((m) => m.id)).toEqual([inc.header.id]);

  // The same click replayed by Teams (same activity id) switches once.
  const again = { verb: form.submit.verb, data: { ...form.submit.data, [form.inputId]: storage.value } };
  await h.click(alice, inc.thread, inc.header.id, again, 'f:replayed-switch');
  await h.click(alice, inc.thread, inc.header.id, again, 'f:replayed-switch');
  expect(await events(inc.id, 'runbook.changed')).toHaveLength(1);
});

test('refuses someone not leading the incident, and a form sent with no runbook picked', async () => {
  const inc = await declare('invoices 404 switch refused in teams');
  const form = switchForm(cardOf(inc.header));
  const storage = form.choices.find((c) => c.title.startsWith('storage-permissions:'))!;

  const refused = await h.click(bob, inc.thread, inc.header.id, { verb: form.submit.verb, data: { ...form.submit.data, [form.inputId]: storage.value } });
  expect(refused.body.type).toBe('application/vnd.microsoft.activity.message');
  expect(refused.body.value).toMatch(/Only the commander \(Alice[^)]*\) or an incident admin can switch the runbook of INC-\d+/);

  const empty = await h.click(alice, inc.thread, inc.header.id, { verb: form.submit.verb, data: { ...form.submit.data } });
  expect(empty.body.value).toMatch(/Pick a runbook to switch to\. Nothing changed\./);

  expect(await events(inc.id, 'runbook.changed')).toEqual([]);
  expect((await h.schema.pool.query('SELECT playbook_id, class FROM incidents WHERE id = $1', [inc.id])).rows[0]).toEqual({
    playbook_id: 'pdf-404',
    class: 'pdf',
  });
});

test('This happened on an edge case of the step in focus records edge_case.hit once, even clicked twice', async () => {
  const inc = await declare('invoices 404 edge case in teams');
  const edges = cardActions(cardOf(inc.checklist)).filter((a) => a.payload?.a === 'edge');
  const edge = edges.find((a) => a.payload?.a === 'edge' && a.payload.c === 'api-baseline:1')!;
  expect(edge.title).toBe('This happened');

  const first = await h.click(alice, inc.thread, inc.checklist.id, { verb: edge.verb, data: edge.data });
  expect(first.body.type).toBe('application/vnd.microsoft.card.adaptive');
  const second = await h.click(bob, inc.thread, inc.checklist.id, { verb: edge.verb, data: edge.data });
  expect(second.status).toBe(200);
  expect(JSON.stringify(second.body.value)).toMatch(/already recorded/);

  const hits = await events(inc.id, 'edge_case.hit');
  expect(hits).toEqual([{ actor: alice.aadObjectId, data: expect.objectContaining({ step: 'api-baseline', case: 1 }) }]);
  // The checklist then says it happened, and offers the button no more.
  const shown = await h.connector.waitFor(
    () => {
      const card = cardOf(h.connector.message(inc.checklist.id)!);
      return cardActions(card).some((a) => a.payload?.a === 'edge' && a.payload.c === 'api-baseline:1') ? null : card;
    },
    10_000,
    'the case shown as happened',
  );
  expect(cardText(shown)).toMatch(/Happened \(by Alice/);
});
