import path from 'node:path';
import {
  checklistCards,
  headerCard,
  messageText,
  noticeCard,
  readCardAction,
  stepDetailCard,
  TEAMS_CARD_MAX_BYTES,
  type Card,
} from '../../src/adapters/teams/cards';
import { followUpCard } from '../../src/adapters/teams/follow-up-card';
import { readRunbookPick } from '../../src/adapters/teams/runbook-card';
import type { ActionItem, PostmortemStatus, Snapshot, Status } from '../../src/core/model';
import { followUpView } from '../../src/core/render/follow-up';
import { encodeAction, type ActionPayload, type ActionView } from '../../src/core/text/actions';
import { checklistView, headerView, stepDetailView, type ChecklistView, type HeaderView } from '../../src/core/render/views';
import { loadCatalog } from '../../src/core/runbook/loader';
import { markupOf } from '../../src/core/runbook/markup';
import type { Runbook } from '../../src/core/runbook/schema';
import { COMMANDER, DECLARER, DONE_BY, INCIDENT_ID, makePostmortem, makeRunbook, makeSnapshot } from '../support/factories';
import { cardSchemaProblems } from '../support/teams-cards';

// Cards for Teams, checked the way Teams would take them: against the Adaptive Card 1.5 schema
// (Microsoft's, MIT, copied into test/fixtures with its licence), under Teams' 28 KB card limit, with
// user and runbook text only where Teams shows it literally, and every button readable back.

const catalog = loadCatalog(path.resolve(__dirname, '../../playbooks'));
const runbooks: readonly Runbook[] = catalog.all;
const pdf404 = runbooks.find((runbook) => runbook.id === 'pdf-404')!;

const PEOPLE: Record<string, string> = { [COMMANDER]: 'Casey Commander', [DECLARER]: 'Dana Declarer', [DONE_BY]: 'Bob Builder' };
const names = (id: string): string | null => PEOPLE[id] ?? null;

const HOSTILE = '<script>alert(1)</script> **bold** [x](javascript:alert(1)) <at>Boss</at>';

type Node = Record<string, any>;

/**
 * `msteams` is Teams' own card property (full width), which the generic schema does not know and its
 * `additionalProperties: false` refuses; it is checked here on its own and the rest against the schema.
 */
function expectTeamsCard(card: Card): void {
  expect(card).toMatchObject({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    msteams: { width: 'Full' },
  });
  expect(cardSchemaProblems(card)).toEqual([]);
  expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(TEAMS_CARD_MAX_BYTES);
}

/** Every object in the card with a `type`, depth first in document order (show cards and fallbacks included). */
function nodes(value: unknown, out: Node[] = []): Node[] {
  if (Array.isArray(value)) for (const v of value) nodes(v, out);
  else if (value && typeof value === 'object') {
    if ('type' in value) out.push(value);
    for (const v of Object.values(value)) nodes(v, out);
  }
  return out;
}

const ofType = (card: unknown, type: string) => nodes(card).filter((n) => n.type === type);
const richText = (rtb: Node): string => rtb.inlines.map((r: Node | string) => (typeof r === 'string' ? r : r.text)).join('');
const stepIds = (cards: Card[]) =>
  cards.flatMap((c) =>
    ofType(c, 'Container')
      .map((n) => n.id)
      .filter((id) => /^step-\d+$/.test(id ?? '')),
  );

function viewActions(hv: HeaderView, cv: ChecklistView): ActionPayload[] {
  // The runbook's edge cases on the first page, then each step's buttons, and the focused step's edge cases.
  const steps = cv.items.flatMap((x) => [...x.actions, ...(x.shown === 'focus' ? x.edgeCases.flatMap((e) => e.actions) : [])]);
  return [...hv.actions, ...cv.edgeCases.flatMap((e) => e.actions), ...steps].map((a) => a.payload);
}

const STATES: Array<{ name: string; status: Status; done: (runbook: Runbook) => string[] }> = [
  { name: 'new', status: 'declared', done: () => [] },
  { name: 'half done', status: 'acknowledged', done: (runbook) => runbook.steps.slice(0, Math.ceil(runbook.steps.length / 2)).map((s) => s.id) },
  { name: 'all done', status: 'mitigated', done: (runbook) => runbook.steps.map((s) => s.id) },
  { name: 'resolved', status: 'resolved', done: (runbook) => runbook.steps.slice(0, 3).map((s) => s.id) },
];

describe('the Adaptive Card schema used here', () => {
  const card = (body: unknown[]) => ({ type: 'AdaptiveCard', version: '1.5', body });

  it('accepts a plain card and refuses broken ones, so passing it means something', () => {
    expect(cardSchemaProblems(card([{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'ok', fontType: 'Monospace' }] }]))).toEqual([]);
    expect(cardSchemaProblems(card([{ type: 'Marquee', text: 'x' }]))).not.toEqual([]);
    expect(cardSchemaProblems(card([{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', weight: 'Bolder' }] }]))).not.toEqual([]);
    // Why the cards give a RichTextBlock no `wrap` (it always wraps); msteams is Teams' own, checked apart.
    expect(cardSchemaProblems(card([{ type: 'RichTextBlock', wrap: true, inlines: [] }]))).not.toEqual([]);
    expect(cardSchemaProblems({ ...card([]), msteams: { width: 'Narrow' } })).not.toEqual([]);
  });
});

describe.each(runbooks.map((runbook) => [runbook.id, runbook] as const))('%s rendered for Teams', (_id, runbook) => {
  it.each(STATES.map((s) => [s.name, s] as const))('gives valid cards under 28 KB with every step once, in order, when %s', (_name, state) => {
    const snap = makeSnapshot({ runbook, status: state.status, done: state.done(runbook) });
    const hv = headerView(snap, runbook);
    const cv = checklistView(snap, runbook);
    const header = headerCard(hv, names);
    const pages = checklistCards(cv, names);
    const details = runbook.steps.map((s) => stepDetailCard(stepDetailView(snap, runbook, s.id)!, names));
    const notice = noticeCard(['Escalated by ', { user: COMMANDER }, ': run ', { command: 'ack' }], hv.actions, names);
    for (const c of [header, ...pages, ...details, notice]) expectTeamsCard(c);
    expect(stepIds(pages)).toEqual(runbook.steps.map((_s, i) => `step-${i + 1}`));
  });

  it('sends back, from every button and its fallback, exactly what the view asked for', () => {
    const snap = makeSnapshot({ runbook, status: 'acknowledged', done: [runbook.steps[0]!.id] });
    const hv = headerView(snap, runbook);
    const cv = checklistView(snap, runbook);
    const executes = [headerCard(hv, names), ...checklistCards(cv, names)].flatMap((c) => ofType(c, 'Action.Execute'));
    const expected = viewActions(hv, cv);
    expect(executes).toHaveLength(expected.length);
    executes.forEach((e, i) => {
      expect(readCardAction({ action: { type: 'Action.Execute', verb: e.verb, data: e.data }, trigger: 'manual' })).toEqual(expected[i]);
      expect(e.fallback).toMatchObject({ type: 'Action.Submit', title: e.title });
      expect(readCardAction(e.fallback.data)).toEqual(expected[i]);
      expect(e.verb).toBe(`incident.${expected[i]!.a}`);
    });
  });
});

describe('checklist layout', () => {
  const focusIdx = pdf404.steps.findIndex((s) => s.id === 'permissions-and-logs');
  const snap = makeSnapshot({ runbook: pdf404, status: 'acknowledged', done: pdf404.steps.slice(0, focusIdx).map((s) => s.id) });
  const cv = checklistView(snap, pdf404);
  const pages = checklistCards(cv, names);
  const step = (n: number) => pages.flatMap((c) => ofType(c, 'Container')).find((x) => x.id === `step-${n}`)!;
  /** What a reader sees without clicking: hidden containers left out. */
  const visible = (n: Node): Node[] => nodes({ ...n, items: (n.items as Node[]).filter((x) => x.isVisible !== false) });

  it("shows the focus step's fenced code byte for byte, in monospace, openly", () => {
    const code = markupOf(pdf404.steps[focusIdx]!.detail).find((b) => b.type === 'code');
    if (code?.type !== 'code') throw new Error('pdf-404 permissions-and-logs has no code block');
    const boxes = visible(step(focusIdx + 1)).filter((n) => n.type === 'Container' && n.style === 'emphasis');
    const runs = boxes.flatMap((b) => ofType(b, 'TextRun'));
    expect(runs).toContainEqual({ type: 'TextRun', text: code.code, fontType: 'Monospace' });
  });

  it('shows progress, done steps in one line, and other steps with their detail one click away', () => {
    expect(nodes(pages[0]).find((n) => n.type === 'TextBlock')!.text).toBe(`${focusIdx} of ${pdf404.steps.length} steps done · next: step ${focusIdx + 1}`);
    const done = ofType(step(1), 'RichTextBlock').map(richText);
    expect(done[0]).toBe(`✅ 1. ${pdf404.steps[0]!.title} · Done by Bob Builder · 2025-03-07 09:42 UTC`);
    const open = step(focusIdx + 2);
    const toggle = ofType(open, 'Action.ToggleVisibility')[0]!;
    const hidden = (open.items as Node[]).find((x) => x.isVisible === false)!;
    expect(toggle).toMatchObject({ title: 'Details', targetElements: [hidden.id] });
    expect(ofType(hidden, 'RichTextBlock').length).toBeGreaterThan(0);
    const ids = pages.flatMap((c) =>
      nodes(c)
        .map((n) => n.id)
        .filter(Boolean),
    );
    expect(new Set(ids).size).toBe(ids.length);
    // The step in focus shows its detail openly, so it has no Details toggle.
    expect(ofType(step(focusIdx + 1), 'Action.ToggleVisibility')).toEqual([]);
  });

  it('styles buttons as the view says, and asks before what cannot be undone', () => {
    const hv = headerView(makeSnapshot({ runbook: pdf404 }), pdf404);
    const actions = headerCard(hv, names).actions as Node[];
    expect(actions.find((a) => a.title === 'Acknowledge')).toMatchObject({ type: 'Action.Execute', style: 'positive' });
    const resolve = actions.find((a) => a.title === 'Resolve')!;
    // Resolve opens the quick validation form: a toggle per check, the resolution, then the real button.
    expect(resolve).toMatchObject({ type: 'Action.ShowCard', style: 'destructive' });
    expect(ofType(resolve.card, 'Input.Toggle').map((t) => t.id)).toEqual(pdf404.quick_validation.map((_q, i) => `check-${i + 1}`));
    expect(ofType(resolve.card, 'RichTextBlock').map(richText)).toContain(
      '3. INV-SMOKE-0001 downloads in the UI as support-smoke, including via the emailed link',
    );
    expect(ofType(resolve.card, 'Input.Text')).toEqual([expect.objectContaining({ id: 'resolution', maxLength: 500 })]);
    expect(resolve.card.actions).toEqual([
      expect.objectContaining({ type: 'Action.Execute', title: 'Resolve', verb: 'incident.resolve', style: 'destructive' }),
    ]);
    expect(ofType(step(focusIdx + 1), 'Action.Execute')[0]).toMatchObject({ title: 'Done', style: 'positive' });
  });
});

describe('size', () => {
  const longDetail = (i: number) =>
    [
      `Step ${i} checks the **worker pool** in \`eu-west-${i}\`: read the dashboard, then compare with yesterday.`,
      ...Array.from(
        { length: 8 },
        (_v, k) => `- check ${k}: the queue depth must stay under ${k * 100} jobs, or see [the doc](https://docs.example/${i}/${k}).`,
      ),
      '',
      '```bash',
      ...Array.from({ length: 12 }, (_v, k) => `kubectl -n prod get pods -l app=worker-${i} | grep -v Running # ${k} <&>`),
      '```',
    ].join('\n');
  const big = makeRunbook({
    steps: Array.from({ length: 60 }, (_v, i) => ({ id: `s${i + 1}`, title: `Step ${i + 1}: restart worker pool ${i + 1}`, detail: longDetail(i + 1) })),
  });

  it.each([
    ['new', []],
    ['half done', big.steps.slice(0, 30).map((s) => s.id)],
  ] as const)('splits 60 long steps into valid pages under 24 KB when %s', (_name, done) => {
    const pages = checklistCards(checklistView(makeSnapshot({ runbook: big, status: 'acknowledged', done: [...done] }), big), names);
    expect(pages.length).toBeGreaterThan(2);
    for (const c of pages) {
      expectTeamsCard(c);
      expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThan(24 * 1024);
    }
    expect(stepIds(pages)).toEqual(big.steps.map((_s, i) => `step-${i + 1}`));
    pages.forEach((c, i) => expect(richText((c.body as Node[])[0]!)).toContain(`(part ${i + 1} of ${pages.length})`));
  });

  it('keeps a step whose detail alone is over the limit, and the header with hundreds of long checks', () => {
    const huge = [{ type: 'code' as const, code: 'x'.repeat(40_000), lang: null }];
    const runbook = makeRunbook();
    const cv = checklistView(makeSnapshot({ runbook }), runbook);
    const view: ChecklistView = { ...cv, items: cv.items.map((x) => ({ ...x, detail: huge })) };
    const pages = checklistCards(view, names);
    pages.forEach(expectTeamsCard);
    expect(stepIds(pages)).toEqual(['step-1', 'step-2', 'step-3']);
    expectTeamsCard(
      stepDetailCard(
        {
          incidentId: cv.incidentId,
          room: null,
          stepId: 's',
          heading: 'INC-42',
          number: 1,
          total: 1,
          title: 'Big',
          detail: huge,
          probe: null,
          done: null,
          edgeCases: [],
          runbookEdgeCases: [],
        },
        names,
      ),
    );

    const hv = headerView(makeSnapshot({ runbook }), runbook);
    const checks = Array.from({ length: 300 }, (_v, i) => ({
      id: `p${i}`,
      title: `Probe ${i}`,
      last: { status: 'fail' as const, reason: 'r'.repeat(1000), at: new Date(0) },
    }));
    const header = headerCard({ ...hv, checks }, names);
    expectTeamsCard(header);
    const reasons = ofType(header, 'TextRun').filter((r) => String(r.text).includes('rrr'));
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) expect(r.text.length).toBeLessThan(200 + 40);
  });
});

describe('switch runbook on the header card', () => {
  const switchCard = (card: Card) => ((card.actions ?? []) as Node[]).find((a) => a.title === 'Switch runbook');

  it('offers the other runbooks in a card shown inline, whose Switch sends the picked runbook payload', () => {
    const snap = makeSnapshot({ runbook: pdf404 });
    const hv = headerView(snap, pdf404, catalog);
    const header = headerCard(hv, names);
    expectTeamsCard(header);
    // Acknowledge, Run all checks, Cause identified, Escalate, Resolve, Switch runbook: Teams shows six.
    expect((header.actions as Node[]).length).toBeLessThanOrEqual(6);
    const show = switchCard(header)!;
    expect(show.type).toBe('Action.ShowCard');
    const [choiceSet] = ofType(show.card, 'Input.ChoiceSet');
    expect(choiceSet).toMatchObject({ id: 'runbook', isRequired: true, style: 'compact' });
    const expected = hv.switchRunbook!;
    expect(choiceSet!.choices.map((c: Node) => c.title)).toEqual(expected.map((c) => c.label));
    expect(choiceSet!.choices.map((c: Node) => c.title)).not.toContain(expect.stringMatching(/^pdf-404:/));
    const submit = (show.card.actions as Node[])[0]!;
    expect(submit).toMatchObject({ type: 'Action.Execute', title: 'Switch', verb: 'incident.runbook', fallback: { type: 'Action.Submit', title: 'Switch' } });
    const picked = choiceSet!.choices.find((c: Node) => c.title.startsWith('storage-permissions:')).value;
    const payload = { a: 'runbook', i: snap.incident.id, r: 'storage-permissions' };
    // Teams merges the card's inputs into the action's data, for the invoke and the fallback alike.
    expect(readRunbookPick({ action: { type: 'Action.Execute', verb: submit.verb, data: { ...submit.data, runbook: picked } }, trigger: 'manual' })).toEqual({
      payload,
    });
    expect(readRunbookPick({ ...submit.fallback.data, runbook: picked })).toEqual({ payload });
    // Nothing picked, something else picked, or another form: nothing to switch to.
    expect(readRunbookPick({ ...submit.fallback.data })).toEqual({ payload: null });
    expect(readRunbookPick({ ...submit.fallback.data, runbook: encodeAction({ a: 'ack', i: snap.incident.id }) })).toEqual({ payload: null });
    expect(readRunbookPick({ action: { type: 'Action.Execute', verb: 'incident.ack', data: { ...submit.data, runbook: picked } } })).toBeNull();
    expect(readRunbookPick({ incidentBot: encodeAction({ a: 'ack', i: snap.incident.id }) })).toBeNull();
  });

  it('is not offered once the incident has ended, and gives way before the header outgrows Teams', () => {
    const resolved = makeSnapshot({ runbook: pdf404, status: 'resolved' });
    expect(switchCard(headerCard(headerView(resolved, pdf404, catalog), names))).toBeUndefined();
    const hv = headerView(makeSnapshot({ runbook: pdf404 }), pdf404, catalog);
    const many: ActionView[] = Array.from({ length: 400 }, (_v, i) => ({
      label: `runbook-${i}: ${'a very long runbook title '.repeat(8)}`,
      payload: { a: 'runbook', i: INCIDENT_ID, r: `runbook-${i}` },
    }));
    const header = headerCard({ ...hv, switchRunbook: many }, names);
    expectTeamsCard(header);
    const shown = ofType(switchCard(header)!.card, 'Input.ChoiceSet')[0]!.choices as Node[];
    expect(shown.length).toBeGreaterThan(10);
    expect(shown.length).toBeLessThan(many.length);
  });
});

describe('hostile text', () => {
  const runbook: Runbook = {
    ...pdf404,
    title: HOSTILE,
    links: [...pdf404.links, { title: HOSTILE, url: 'javascript:alert(1)' }],
    steps: pdf404.steps.map((s, i) => (i < 3 ? { ...s, title: HOSTILE, detail: `${HOSTILE}\n- ${HOSTILE}\n\n${s.detail}` } : s)),
  };
  const snap = {
    ...makeSnapshot({ runbook, status: 'resolved', done: [runbook.steps[0]!.id], incident: { title: HOSTILE, resolution: HOSTILE } }),
    probes: [
      { id: 'r1', probeId: 'me-standard-user', status: 'fail' as const, reason: HOSTILE, queuedAt: new Date(0), finishedAt: new Date(0), durationMs: 1 },
    ],
  };
  const open = makeSnapshot({ runbook, status: 'acknowledged', incident: { title: HOSTILE } });
  const hostileText = [HOSTILE, { strong: HOSTILE }, { link: 'javascript:alert(1)', title: HOSTILE }, { code: HOSTILE }];
  const cards = [
    headerCard(headerView(snap, runbook), names),
    ...checklistCards(checklistView(snap, runbook), names),
    ...checklistCards(checklistView(open, runbook), names),
    stepDetailCard(stepDetailView(snap, runbook, runbook.steps[0]!.id)!, names),
    noticeCard(hostileText, [], (id) => (id === COMMANDER ? HOSTILE : null)),
  ];

  it('shows it only as literal TextRun text, never in markdown, and links only to http(s)', () => {
    cards.forEach(expectTeamsCard);
    for (const c of cards) {
      // TextBlocks hold only our own words, numbers and DATE/TIME functions: nothing markdown acts on.
      for (const tb of ofType(c, 'TextBlock')) expect(tb.text).toMatch(/^[A-Za-z0-9 .,:…·(){}-]*$/);
      for (const u of ofType(c, 'Action.OpenUrl')) expect(u.url).toMatch(/^https?:\/\//);
    }
    const runs = cards.flatMap((c) => ofType(c, 'TextRun')).map((r) => String(r.text));
    expect(runs.filter((t) => t.includes(HOSTILE)).length).toBeGreaterThan(5);
    const urls = cards.flatMap((c) => ofType(c, 'Action.OpenUrl')).map((u) => u.url);
    expect(urls).not.toContain('javascript:alert(1)');
  });

  it('is escaped in a plain message and mentions nobody', () => {
    const m = messageText([HOSTILE, ' ', { user: 'UNKNOWN<1>' }], () => null);
    expect(m.text).toBe('&lt;script&gt;alert(1)&lt;/script&gt; **bold** [x](javascript:alert(1)) &lt;at&gt;Boss&lt;/at&gt; UNKNOWN&lt;1&gt;');
    expect(m.entities).toEqual([]);
  });

  it('mentions a known person with one entity each, their name escaped', () => {
    const people = (id: string) => (id === COMMANDER ? { id: '29:abc', name: 'Casey <C> & Co' } : null);
    const m = messageText(['Paging ', { user: COMMANDER }, ' & ', { user: DECLARER }, ': ', { command: 'ack' }], people);
    expect(m.text).toBe('Paging <at>Casey &lt;C&gt; &amp; Co</at> &amp; UDECL0001: <code>@Incident ack</code>');
    expect(m.entities).toEqual([{ type: 'mention', text: '<at>Casey &lt;C&gt; &amp; Co</at>', mentioned: { id: '29:abc', name: 'Casey <C> & Co' } }]);
  });
});

describe('readCardAction', () => {
  const ack: ActionPayload = { a: 'ack', i: INCIDENT_ID };
  const data = { incidentBot: encodeAction(ack) };

  it('reads an invoke and a fallback submit', () => {
    expect(readCardAction({ action: { type: 'Action.Execute', verb: 'incident.ack', data } })).toEqual(ack);
    expect(readCardAction(data)).toEqual(ack);
  });

  it('gives null for anything else, without throwing', () => {
    const trap = new Proxy(
      {},
      {
        has: () => true,
        get: () => {
          throw new Error('trap');
        },
      },
    );
    const junk: unknown[] = [
      null,
      undefined,
      'x',
      42,
      [],
      {},
      trap,
      { incidentBot: 'nope' },
      { incidentBot: 5 },
      { incidentBot: encodeAction(ack).replace(INCIDENT_ID, 'not-a-uuid') },
      { action: { type: 'Action.Submit', verb: 'incident.ack', data } },
      { action: { type: 'Action.Execute', verb: 'incident.resolve', data } },
      { action: { type: 'Action.Execute', verb: 'incident.ack', data: 'x' } },
      { action: null },
    ];
    for (const v of junk) expect(readCardAction(v)).toBeNull();
  });

  it('turns every kind of button into a card action it can read back', () => {
    const views: ActionView[] = [
      { label: 'Done', style: 'primary', payload: { a: 'step', i: INCIDENT_ID, s: 'look', to: 'done' } },
      { label: 'Run probe', payload: { a: 'probe', i: INCIDENT_ID, p: 'all' } },
      { label: 'Escalate', confirm: { title: 'Sure?', text: 'Pages.', ok: 'Escalate', cancel: 'No' }, payload: { a: 'escalate', i: INCIDENT_ID } },
    ];
    const c = noticeCard(['Notice'], views, names);
    expectTeamsCard(c);
    expect(ofType(c, 'Action.Execute').map((e) => readCardAction(e.fallback.data))).toEqual(views.map((v) => v.payload));
  });
});

describe('follow-up card', () => {
  const runbook = makeRunbook();
  const NOW = new Date('2025-04-01T08:00:00Z');

  /** 200 open and 50 done items, each as long and as hostile as a person can type. */
  function crowded(status: PostmortemStatus): Snapshot {
    const items: ActionItem[] = Array.from({ length: 250 }, (_v, k) => ({
      number: k + 1,
      text: `${k} ${HOSTILE} ${'&<>'.repeat(60)}`.repeat(3).slice(0, 500),
      owner: k % 4 === 0 ? null : k % 2 === 0 ? COMMANDER : `U${String(k).padStart(8, '0')}`,
      dueOn: k % 5 === 0 ? null : `2025-0${3 + (k % 3)}-${String(1 + (k % 28)).padStart(2, '0')}`,
      createdAt: new Date('2025-03-07T11:00:00Z'),
      createdBy: COMMANDER,
      closedAt: k >= 200 ? new Date(Date.UTC(2025, 2, 10, 0, k)) : null,
      closedBy: k >= 200 ? DONE_BY : null,
    }));
    return { ...makeSnapshot({ runbook, status: 'resolved', incident: { title: HOSTILE } }), postmortem: makePostmortem(status), actionItems: items };
  }
  // A directory name as hostile as the item text, and long.
  const hostileNames = (id: string) => (id === COMMANDER ? `${HOSTILE} ${'n'.repeat(200)}` : names(id));

  it.each(['draft', 'in_review', 'published', 'closed'] as const)(
    'is valid, under 28 KB and literal with 200 open and 50 done hostile items when %s',
    (status) => {
      const v = followUpView(crowded(status), runbook, NOW, 'UTC')!;
      for (const n of [names, hostileNames]) {
        const c = followUpCard(v, n);
        expectTeamsCard(c);
        for (const tb of ofType(c, 'TextBlock')) expect(tb.text).toMatch(/^[A-Za-z0-9 .,:…·(){}-]*$/);
        expect(ofType(c, 'TextRun').some((r) => String(r.text).includes(HOSTILE))).toBe(true);
        // Every Done reads back as its item; what is not shown is counted in the "more" line.
        const executes = ofType(c, 'Action.Execute').map((e) => readCardAction({ action: { type: 'Action.Execute', verb: e.verb, data: e.data } }));
        const items = executes.filter((p) => p?.a === 'item');
        expect(items.length).toBeGreaterThan(0);
        for (const e of ofType(c, 'Action.Execute'))
          expect(readCardAction(e.fallback.data)).toEqual(readCardAction({ action: { type: 'Action.Execute', verb: e.verb, data: e.data } }));
        const doneLines = ofType(c, 'RichTextBlock')
          .map(richText)
          .filter((t) => t.startsWith('✅ #')).length;
        const more = ofType(c, 'RichTextBlock')
          .map(richText)
          .find((t) => t.endsWith(' more: @Incident action list'));
        expect(Number(more?.split(' ')[0])).toBe(250 - items.length - doneLines);
      }
    },
  );

  it('draws Edit analysis as a prefilled form, and gives the form up for a plain button when a long analysis would not fit', () => {
    const withAnalysis = (text: string): Snapshot => {
      const s = makeSnapshot({ runbook, status: 'resolved' });
      const analysis = {
        impactSummary: text,
        rootCause: text,
        causeCategory: 'keys',
        contributingFactors: text,
        wentWell: text,
        wentBadly: text,
        lessons: text,
      };
      return { ...s, postmortem: makePostmortem('draft', { analysis }), actionItems: [] };
    };
    const editOf = (c: Card) => ofType(c, 'ActionSet').find((x) => x.id === 'postmortem-analysis')!.actions as Node[];

    const short = followUpCard(followUpView(withAnalysis(HOSTILE), runbook, NOW, 'UTC')!, names);
    expectTeamsCard(short);
    const form = editOf(short)[0]!;
    expect(form).toMatchObject({ type: 'Action.ShowCard', title: 'Edit analysis' });
    expect((form.card.body as Node[]).filter((e) => e.type === 'Input.Text').map((e) => e.value)).toEqual([
      HOSTILE,
      HOSTILE,
      'keys',
      HOSTILE,
      HOSTILE,
      HOSTILE,
      HOSTILE,
    ]);

    const long = followUpCard(followUpView(withAnalysis('é'.repeat(3000)), runbook, NOW, 'UTC')!, names);
    expectTeamsCard(long);
    expect(editOf(long)).toEqual([expect.objectContaining({ type: 'Action.Execute', title: 'Edit analysis', verb: 'incident.analysis' })]);
  });

  it('offers the next lifecycle step, asking before Publish', () => {
    const pmActions = (status: PostmortemStatus) => {
      const c = followUpCard(followUpView(crowded(status), runbook, NOW, 'UTC')!, names);
      const container = ofType(c, 'Container').find((x) => x.id === 'postmortem')!;
      return ofType(container, 'ActionSet').flatMap((s) => s.actions as Node[]);
    };
    const edit = expect.objectContaining({ type: 'Action.ShowCard', title: 'Edit analysis' });
    expect(pmActions('draft')).toEqual([expect.objectContaining({ type: 'Action.Execute', title: 'Send to review', verb: 'incident.pm' }), edit]);
    const publish = pmActions('in_review');
    expect(publish).toEqual([expect.objectContaining({ type: 'Action.ShowCard', title: 'Publish' }), edit]);
    expect(readCardAction(publish[0]!.card.actions[0].fallback.data)).toEqual({ a: 'pm', i: INCIDENT_ID, to: 'published' });
    expect(pmActions('published')).toEqual([]);
    expect(pmActions('closed')).toEqual([]);
  });

  it('shows a small follow-up whole, with names', () => {
    const s: Snapshot = {
      ...makeSnapshot({ runbook, status: 'resolved' }),
      postmortem: null,
      actionItems: [
        { number: 1, text: 'Alert on 404s', owner: COMMANDER, dueOn: '2025-03-20', createdAt: NOW, createdBy: COMMANDER, closedAt: null, closedBy: null },
        { number: 2, text: 'Fix the renderer', owner: null, dueOn: null, createdAt: NOW, createdBy: COMMANDER, closedAt: NOW, closedBy: DONE_BY },
      ],
    };
    const c = followUpCard(followUpView(s, runbook, NOW, 'UTC')!, names);
    expectTeamsCard(c);
    expect(ofType(c, 'RichTextBlock').map(richText)).toEqual([
      'INC-42 follow-up',
      '#1 Alert on 404s · Casey Commander · due 2025-03-20 (overdue)',
      '✅ #2 Fix the renderer · done by Bob Builder 2025-04-01 08:00 UTC',
    ]);
    expect(ofType(c, 'Action.Execute').map((e) => readCardAction(e.fallback.data))).toEqual([{ a: 'item', i: INCIDENT_ID, n: 1 }]);
  });
});
