import path from 'node:path';
import type { Snapshot, Status } from '../../src/core/model';
import { decodeAction, encodeAction, type ActionPayload } from '../../src/core/text/actions';
import { plainText } from '../../src/core/text/text';
import { checklistView, diagnosisClock, headerView, stepDetailView, type ActionView } from '../../src/core/render/views';
import { loadCatalog } from '../../src/core/runbook/loader';
import type { Runbook } from '../../src/core/runbook/schema';
import { DONE_AT, INCIDENT_ID, makeChecklistStep, makeRunbook, makeSnapshot } from '../support/factories';

// Views are what every surface draws from: the buttons people can press and the notes they read
// must follow the incident's status, and nothing in them may be Slack markup.

const ALL_STATUSES: Status[] = ['declared', 'acknowledged', 'mitigated', 'resolved', 'cancelled'];

const runbook = makeRunbook();

const labels = (actions: ActionView[]) => actions.map((a) => a.label);
const field = (s: Snapshot, name: string) => {
  const f = headerView(s, runbook).fields.find((x) => x.label === name);
  if (!f) throw new Error(`no field ${name}`);
  return plainText(f.value);
};

/** Every string anywhere inside `value`, however deeply nested: labels, spans, confirm texts. */
function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value instanceof Date || value === null || typeof value !== 'object') return [];
  return Object.values(value as Record<string, unknown>).flatMap(allStrings);
}

const SLACK_MARKUP = /<[@#!]/;

describe('headerView', () => {
  it('offers Acknowledge, Cause identified, Escalate and Resolve while the incident is declared', () => {
    const view = headerView(makeSnapshot({ status: 'declared' }), runbook);
    expect(labels(view.actions)).toEqual(['Acknowledge', 'Cause identified', 'Escalate', 'Resolve']);
    expect(view.actions[0]).toEqual({ label: 'Acknowledge', style: 'primary', payload: { a: 'ack', i: INCIDENT_ID } });
  });

  it.each(['acknowledged', 'mitigated'] as Status[])('offers no Acknowledge once %s: acknowledging again means nothing', (status) => {
    expect(labels(headerView(makeSnapshot({ status }), runbook).actions)).toEqual(['Cause identified', 'Escalate', 'Resolve']);
  });

  it.each(['declared', 'acknowledged', 'mitigated'] as Status[])('offers Resolve on a %s incident, which opens the quick validation form', (status) => {
    const view = headerView(makeSnapshot({ status }), runbook);
    const resolve = view.actions.find((a) => a.label === 'Resolve');
    expect(resolve).toMatchObject({ style: 'danger', payload: { a: 'resolve', i: INCIDENT_ID } });
    // The form is the confirmation: no dialog before it.
    expect(resolve?.confirm).toBeUndefined();
    expect(view.resolveForm).toMatchObject({
      incidentId: INCIDENT_ID,
      checks: runbook.quick_validation.map((q, i) => expect.objectContaining({ number: i + 1, text: typeof q === 'string' ? q : q.check })),
      submit: 'Resolve',
    });
  });

  it.each(['resolved', 'cancelled'] as Status[])('has no resolve form once %s', (status) => {
    expect(headerView(makeSnapshot({ status }), runbook).resolveForm).toBeNull();
  });

  it.each(['resolved', 'cancelled'] as Status[])('offers no buttons once %s', (status) => {
    expect(headerView(makeSnapshot({ status }), runbook).actions).toEqual([]);
  });

  it('has no closing note while the incident is open', () => {
    for (const status of ['declared', 'acknowledged', 'mitigated'] as Status[]) {
      expect(headerView(makeSnapshot({ status }), runbook).closingNote).toBeNull();
    }
  });

  it('says when it was resolved and the summary given', () => {
    const note = headerView(makeSnapshot({ status: 'resolved', incident: { resolution: 'Rolled back documents-api' } }), runbook).closingNote;
    expect(plainText(note!)).toBe('Resolved 2025-03-07 10:30 UTC: Rolled back documents-api');
  });

  it('says only when it was resolved when no summary was given', () => {
    expect(plainText(headerView(makeSnapshot({ status: 'resolved' }), runbook).closingNote!)).toBe('Resolved 2025-03-07 10:30 UTC');
  });

  it('says a cancelled incident was declared by mistake and is left out of MTTR', () => {
    expect(plainText(headerView(makeSnapshot({ status: 'cancelled' }), runbook).closingNote!)).toBe(
      'Cancelled 2025-03-07 10:30 UTC (declared by mistake; left out of MTTR)',
    );
  });

  it('heads the message with the incident number and title, and the status in the one-line summary', () => {
    const view = headerView(makeSnapshot({ status: 'mitigated' }), runbook);
    expect(view.heading).toBe('INC-42 · Invoices return 404 for some tenants');
    expect(view.summary).toBe('INC-42 · Invoices return 404 for some tenants (Mitigated)');
  });

  it('shows severity, status, commander, runbook, who declared it and when it was acknowledged', () => {
    const s = makeSnapshot({ status: 'acknowledged' });
    expect(headerView(s, runbook).fields.map((f) => f.label)).toEqual([
      'Severity',
      'Status',
      'Commander',
      'Runbook',
      'Class',
      'Declared',
      'Acknowledged',
      'Diagnosis',
      'Escalation',
    ]);
    expect(field(s, 'Severity')).toBe('SEV2');
    expect(field(s, 'Status')).toBe('Acknowledged');
    expect(field(s, 'Commander')).toBe('@UCMDR0001');
    expect(field(s, 'Runbook')).toBe('Generated PDFs return 404 (pdf-404)');
    expect(field(s, 'Declared')).toBe('2025-03-07 09:15 UTC by @UDECL0001');
    expect(field(s, 'Acknowledged')).toBe('2025-03-07 09:20 UTC');
  });

  it('says nobody is commander yet and the incident is not acknowledged yet, instead of leaving blanks', () => {
    const s = makeSnapshot({ status: 'declared', incident: { commander: null } });
    expect(field(s, 'Commander')).toBe('nobody yet');
    expect(field(s, 'Acknowledged')).toBe('not yet');
  });

  it('keeps the commander as a user mention, for each surface to format its own way', () => {
    expect(headerView(makeSnapshot({ status: 'declared' }), runbook).fields.find((f) => f.label === 'Commander')?.value).toEqual([{ user: 'UCMDR0001' }]);
  });

  it('links the runbook links', () => {
    expect(headerView(makeSnapshot({ status: 'declared' }), runbook).links).toEqual(runbook.links);
  });
});

describe('checklistView', () => {
  it('counts steps done out of the total', () => {
    expect(checklistView(makeSnapshot({ status: 'acknowledged' }), runbook).progress).toEqual({ done: 0, total: 3 });
    expect(checklistView(makeSnapshot({ status: 'acknowledged', done: ['look', 'fix'] }), runbook).progress).toEqual({ done: 2, total: 3 });
  });

  it('heads the checklist with the incident and runbook', () => {
    expect(checklistView(makeSnapshot({ status: 'acknowledged' }), runbook).heading).toBe('INC-42 checklist: Generated PDFs return 404');
  });

  it('numbers steps from 1 in checklist order', () => {
    const view = checklistView(makeSnapshot({ status: 'acknowledged' }), runbook);
    expect(view.items.map((x) => [x.number, x.stepId, x.title])).toEqual([
      [1, 'look', 'Look at the logs'],
      [2, 'cause', 'State the cause'],
      [3, 'fix', 'Re-render or roll back'],
    ]);
  });

  it('offers Done on an open step, asking for the done state', () => {
    const item = checklistView(makeSnapshot({ status: 'acknowledged' }), runbook).items[0]!;
    expect(item.done).toBeNull();
    expect(item.actions).toEqual([
      { label: 'Done', style: 'primary', payload: { a: 'step', i: INCIDENT_ID, s: 'look', to: 'done' } },
      // The step names a probe, so it can run it again.
      { label: 'Run probe', payload: { a: 'probe', i: INCIDENT_ID, p: 'smoke-pdf' } },
    ]);
  });

  it('offers Reopen on a done step and shows who did it and when', () => {
    const item = checklistView(makeSnapshot({ status: 'acknowledged', done: ['cause'] }), runbook).items[1]!;
    expect(item.done).toEqual({ by: 'UBOB00002', at: DONE_AT });
    expect(item.actions).toEqual([{ label: 'Reopen', payload: { a: 'step', i: INCIDENT_ID, s: 'cause', to: 'open' } }]);
  });

  it.each(['declared', 'acknowledged', 'mitigated'] as Status[])(
    'lets every step be ticked while %s, and its check be run from the step in focus',
    (status) => {
      const view = checklistView(makeSnapshot({ status, done: ['cause'] }), runbook);
      for (const item of view.items) {
        expect(item.actions.map((a) => a.payload.a)).toEqual(item.probe && item.shown === 'focus' ? ['step', 'probe'] : ['step']);
      }
    },
  );

  it.each(['resolved', 'cancelled'] as Status[])('offers no buttons once %s, but still shows what was done', (status) => {
    const view = checklistView(makeSnapshot({ status, done: ['look'] }), runbook);
    for (const item of view.items) expect(item.actions).toEqual([]);
    expect(view.items[0]!.done).toEqual({ by: 'UBOB00002', at: DONE_AT });
    expect(view.progress).toEqual({ done: 1, total: 3 });
  });

  it('shows each step with its detail and probe from the runbook', () => {
    const [look, cause] = checklistView(makeSnapshot({ status: 'acknowledged' }), runbook).items;
    expect(look).toMatchObject({ detail: [{ type: 'paragraph', lines: [['Search for 404s in the last hour.']] }], probe: { id: 'smoke-pdf', last: null } });
    expect(cause).toMatchObject({ firstLine: ['Post the cause.'], probe: null });
  });

  it('keeps the stored title of a step no longer in the runbook, without detail, and still clickable', () => {
    // The checklist is copied when the incident is declared; editing the runbook later must not lose steps.
    const s = makeSnapshot({ status: 'acknowledged' });
    s.steps.push(makeChecklistStep({ stepId: 'old-step', position: 3, title: 'A step removed from the runbook since' }));
    const item = checklistView(s, runbook).items[3]!;
    expect(item).toMatchObject({ stepId: 'old-step', number: 4, title: 'A step removed from the runbook since', detail: [], probe: null });
    expect(item.actions[0]?.payload).toEqual({ a: 'step', i: INCIDENT_ID, s: 'old-step', to: 'done' });
  });

  it('shows the stored title even when the runbook has since renamed the step', () => {
    const renamed: Runbook = { ...runbook, steps: runbook.steps.map((st) => (st.id === 'look' ? { ...st, title: 'New wording' } : st)) };
    expect(checklistView(makeSnapshot({ status: 'acknowledged' }), renamed).items[0]!.title).toBe('Look at the logs');
  });
});

describe('the step in focus', () => {
  const focusOf = (done: string[], status: Status = 'acknowledged') => checklistView(makeSnapshot({ status, done }), runbook);

  it('is the first open step, shown whole; the others show one line, done ones fold', () => {
    const view = focusOf(['look']);
    expect(view.focus).toBe('cause');
    expect(view.items.map((x) => x.shown)).toEqual(['done', 'focus', 'open']);
    expect(view.items[2]!.firstLine).toEqual(['Fix it.']);
  });

  it('moves on when its step is ticked, and back when an earlier step is reopened', () => {
    expect(focusOf([]).focus).toBe('look');
    expect(focusOf(['look']).focus).toBe('cause');
    expect(focusOf(['look', 'cause']).focus).toBe('fix');
    // "look" reopened while "cause" stays done: the focus goes back to it.
    expect(focusOf(['cause']).focus).toBe('look');
  });

  it('is nowhere once every step is done or the incident has ended', () => {
    expect(focusOf(['look', 'cause', 'fix']).focus).toBeNull();
    expect(focusOf([], 'resolved').focus).toBeNull();
    expect(focusOf([], 'resolved').items.map((x) => x.shown)).toEqual(['open', 'open', 'open']);
  });

  it('shows one line of an open step, cut with an ellipsis when long', () => {
    const long = makeRunbook({
      steps: [
        { id: 'a', title: 'A', detail: 'x'.repeat(300) },
        { id: 'b', title: 'B', detail: `**Run** \`${'y'.repeat(300)}\`` },
      ],
    });
    const view = checklistView(makeSnapshot({ status: 'acknowledged', runbook: long }), long);
    expect(plainText(view.items[0]!.firstLine)).toBe(`${'x'.repeat(79)}…`);
    expect(view.items[1]!.firstLine).toEqual([{ strong: 'Run' }, ' ', { code: `${'y'.repeat(75)}…` }]);
  });

  it('opens any step whole, with its number, check and who did it', () => {
    const s = makeSnapshot({ status: 'acknowledged', done: ['look'] });
    expect(stepDetailView(s, runbook, 'look')).toEqual({
      incidentId: s.incident.id,
      room: s.incident.channelId,
      stepId: 'look',
      heading: 'INC-42 · step 1 of 3',
      number: 1,
      total: 3,
      title: 'Look at the logs',
      detail: [{ type: 'paragraph', lines: [['Search for 404s in the last hour.']] }],
      probe: { id: 'smoke-pdf', title: 'smoke-pdf', last: null },
      done: { by: 'UBOB00002', at: DONE_AT },
      edgeCases: [],
      runbookEdgeCases: checklistView(s, runbook).edgeCases,
    });
    expect(stepDetailView(s, runbook, 'nope')).toBeNull();
  });
});

describe('the diagnosis clock', () => {
  const clock = (s: Snapshot, limits: Runbook = runbook) => plainText(diagnosisClock(s, limits) ?? ['(none)']);

  it('counts down to the runbook limit until a cause is recorded', () => {
    expect(clock(makeSnapshot({ status: 'acknowledged' }))).toBe('⏱ Diagnosing · 15 min limit, due 2025-03-07 09:30 UTC');
    expect(clock(makeSnapshot({ status: 'acknowledged' }), makeRunbook({ diagnose_within: '30m' }))).toBe(
      '⏱ Diagnosing · 30 min limit, due 2025-03-07 09:45 UTC',
    );
  });

  it('says how long the diagnosis took, and whether it was within the limit', () => {
    expect(clock(makeSnapshot({ status: 'acknowledged', incident: { diagnosedAt: new Date('2025-03-07T09:24:00Z') } }))).toBe(
      '✅ Cause found in 9 min (limit 15 min)',
    );
    expect(clock(makeSnapshot({ status: 'acknowledged', incident: { diagnosedAt: new Date('2025-03-07T09:40:00Z') } }))).toBe(
      '⚠️ Cause found in 25 min (limit 15 min)',
    );
  });

  it('says no cause was recorded for a resolved incident, and nothing for a cancelled one', () => {
    expect(clock(makeSnapshot({ status: 'resolved' }))).toBe('No cause was recorded');
    expect(clock(makeSnapshot({ status: 'cancelled' }))).toBe('(none)');
  });
});

describe('action payloads', () => {
  const payloads: ActionPayload[] = [
    { a: 'ack', i: INCIDENT_ID },
    { a: 'resolve', i: INCIDENT_ID },
    { a: 'step', i: INCIDENT_ID, s: 'look', to: 'done' },
    { a: 'step', i: INCIDENT_ID, s: 'look', to: 'open' },
    { a: 'step', i: INCIDENT_ID, s: 'x'.repeat(100), to: 'done' },
  ];

  it.each(payloads)('reads back what it wrote: %j', (p) => {
    expect(decodeAction(encodeAction(p))).toEqual(p);
  });

  it('reads back every button the views offer', () => {
    for (const status of ALL_STATUSES) {
      const s = makeSnapshot({ status, done: ['cause'] });
      const actions = [...headerView(s, runbook).actions, ...checklistView(s, runbook).items.flatMap((x) => x.actions)];
      for (const a of actions) expect(decodeAction(encodeAction(a.payload))).toEqual(a.payload);
    }
  });

  const garbage: Array<[string, string | null | undefined]> = [
    ['nothing', undefined],
    ['null', null],
    ['an empty value', ''],
    ['text that is not JSON', 'step:look:done'],
    ['truncated JSON', '{"a":"ack","i":'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['an id that is not a uuid', JSON.stringify({ a: 'ack', i: 'INC-42' })],
    ['an id with SQL in it', JSON.stringify({ a: 'resolve', i: "1' OR '1'='1" })],
    ['an unknown action', JSON.stringify({ a: 'delete', i: INCIDENT_ID })],
    ['no action', JSON.stringify({ i: INCIDENT_ID })],
    ['a step with a state other than done or open', JSON.stringify({ a: 'step', i: INCIDENT_ID, s: 'look', to: 'toggle' })],
    ['a step without a target state', JSON.stringify({ a: 'step', i: INCIDENT_ID, s: 'look' })],
    ['a step without a step id', JSON.stringify({ a: 'step', i: INCIDENT_ID, to: 'done' })],
    ['an empty step id', JSON.stringify({ a: 'step', i: INCIDENT_ID, s: '', to: 'done' })],
    ['a step id over 100 characters', JSON.stringify({ a: 'step', i: INCIDENT_ID, s: 'x'.repeat(101), to: 'done' })],
    ['a huge step id', JSON.stringify({ a: 'step', i: INCIDENT_ID, s: 'x'.repeat(100_000), to: 'done' })],
    ['a step id that is not a string', JSON.stringify({ a: 'step', i: INCIDENT_ID, s: 7, to: 'done' })],
  ];

  it.each(garbage)('refuses %s as an old or forged button', (_, value) => {
    expect(decodeAction(value)).toBeNull();
  });
});

describe('views speak no platform markup', () => {
  it('never contains Slack mentions, channel links or special mentions, for any status', () => {
    const catalog = loadCatalog(path.resolve(__dirname, '../../playbooks'));
    for (const rendered of [runbook, ...catalog.all]) {
      for (const status of ALL_STATUSES) {
        const s = makeSnapshot({ status, runbook: rendered, done: rendered.steps[0] ? [rendered.steps[0].id] : [], incident: { resolution: 'Rolled back' } });
        const strings = [...allStrings(headerView(s, rendered)), ...allStrings(checklistView(s, rendered))];
        expect(strings.length).toBeGreaterThan(0);
        expect(strings.filter((t) => SLACK_MARKUP.test(t))).toEqual([]);
        // Mentions are carried as {user} spans for the surface to format, not pre-formatted.
        expect(plainText(headerView(s, rendered).fields.find((f) => f.label === 'Declared')!.value)).toContain('@UDECL0001');
      }
    }
  });
});
