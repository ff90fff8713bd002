import type { ActionItem, Postmortem, PostmortemStatus, Snapshot } from '../../src/core/model';
import { decodeAction, encodeAction } from '../../src/core/text/actions';
import { FOLLOW_UP_CAPS, followUpTexts, followUpView, trimFollowUp, type FollowUpView } from '../../src/core/render/follow-up';
import { plainText } from '../../src/core/text/text';
import { COMMANDER, DONE_BY, INCIDENT_ID, makePostmortem, makeRunbook, makeSnapshot } from '../support/factories';

// The follow-up message is drawn from this view on every surface: what is shown, in which order,
// and which buttons exist follow the post-mortem's status and the items' due dates, never the surface.

const runbook = makeRunbook();
/** "Today" in these tests: items due before 2025-03-14 are overdue. */
const NOW = new Date('2025-03-14T08:00:00Z');

/** Reviewed once past draft. */
function postmortem(status: PostmortemStatus, o: Partial<Postmortem> = {}): Postmortem {
  return makePostmortem(status, { reviewedAt: status === 'draft' ? null : new Date('2025-03-10T10:00:00Z'), ...o });
}

function item(number: number, o: Partial<ActionItem> = {}): ActionItem {
  return {
    number,
    text: `Item ${number}`,
    owner: COMMANDER,
    dueOn: null,
    createdAt: new Date('2025-03-07T11:00:00Z'),
    createdBy: COMMANDER,
    closedAt: null,
    closedBy: null,
    ...o,
  };
}

const done = (number: number, at: string, o: Partial<ActionItem> = {}) => item(number, { closedAt: new Date(at), closedBy: DONE_BY, ...o });

function snap(pm: Postmortem | null, items: ActionItem[] = []): Snapshot {
  return { ...makeSnapshot({ runbook, status: 'resolved' }), postmortem: pm, actionItems: items };
}

const view = (s: Snapshot): FollowUpView => {
  const v = followUpView(s, runbook, NOW, 'UTC');
  if (!v) throw new Error('no follow-up view');
  return v;
};
const lines = (v: FollowUpView) => [...v.open, ...v.done].map((x) => plainText(x.line));

describe('followUpView', () => {
  it('is null without a post-mortem and without action items, and when they were not read', () => {
    expect(followUpView(snap(null, []), runbook, NOW, 'UTC')).toBeNull();
    expect(followUpView(makeSnapshot({ runbook }), runbook, NOW, 'UTC')).toBeNull();
  });

  it('shows the post-mortem with its owner, due day and the export command', () => {
    const v = view(snap(postmortem('draft')));
    expect(v.heading).toBe('INC-42 follow-up');
    expect(v.summary).toBe('INC-42 follow-up: post-mortem draft');
    expect(v.postmortem!.line).toEqual([{ strong: 'Post-mortem' }, ' · Draft · ', 'owner ', { user: COMMANDER }, ' · due 2025-03-20']);
    expect(v.postmortem!.notes).toEqual([['Draft it from the timeline: ', { code: 'incident-bot postmortem INC-42' }]]);
    expect(v.postmortem!.overdue).toBe(false);
    expect(v.open).toEqual([]);
    expect(v.more).toBeNull();
  });

  it.each([
    ['draft', ['Send to review'], [{ a: 'pm', i: INCIDENT_ID, to: 'in_review' }]],
    ['in_review', ['Publish'], [{ a: 'pm', i: INCIDENT_ID, to: 'published' }]],
    ['published', [], []],
    ['closed', [], []],
  ] as const)('offers the next lifecycle step when %s', (status, labels, payloads) => {
    const pm = view(snap(postmortem(status), [item(1)])).postmortem!;
    expect(pm.actions.map((a) => a.label)).toEqual(labels);
    expect(pm.actions.map((a) => a.payload)).toEqual(payloads);
    // Every payload survives the encoder both surfaces use.
    for (const a of pm.actions) expect(decodeAction(encodeAction(a.payload))).toEqual(a.payload);
    expect(plainText(pm.line)).toContain(` · ${{ draft: 'Draft', in_review: 'In review', published: 'Published', closed: 'Closed' }[status]} · `);
  });

  it('asks before publishing, which no button undoes', () => {
    const publish = view(snap(postmortem('in_review'))).postmortem!.actions[0]!;
    expect(publish.confirm).toMatchObject({ ok: 'Publish', cancel: 'Not yet' });
  });

  it('says what closes a published post-mortem while items are open, and nothing once they are done', () => {
    const open = view(snap(postmortem('published'), [item(1), done(2, '2025-03-12T09:00:00Z')])).postmortem!;
    expect(open.notes.map(plainText)).toEqual(['Export it: incident-bot postmortem INC-42', 'Closed once every action item is done']);
    const allDone = view(snap(postmortem('published'), [done(1, '2025-03-12T09:00:00Z')])).postmortem!;
    expect(allDone.notes.map(plainText)).toEqual(['Export it: incident-bot postmortem INC-42']);
    expect(plainText(open.line)).toBe('Post-mortem · Published · owner @UCMDR0001 · due 2025-03-20 · published 2025-03-11 10:00 UTC');
  });

  it('marks the post-mortem overdue from the day after its due day, unless closed', () => {
    expect(view(snap(postmortem('draft', { dueOn: '2025-03-14' }))).postmortem!.overdue).toBe(false);
    const late = view(snap(postmortem('in_review', { dueOn: '2025-03-13', owner: null }))).postmortem!;
    expect(late.overdue).toBe(true);
    expect(plainText(late.line)).toBe('Post-mortem · In review · no owner yet · due 2025-03-13 (overdue)');
    const closed = view(snap(postmortem('closed', { dueOn: '2025-03-01' }))).postmortem!;
    expect(closed.overdue).toBe(false);
    expect(plainText(closed.line)).toBe('Post-mortem · Closed · owner @UCMDR0001 · due 2025-03-01 · closed 2025-03-12 10:00 UTC');
  });

  it('lists open items overdue first, then by due day, undated last, then by number; done ones after, latest first', () => {
    const items = [
      item(1),
      item(2, { dueOn: '2025-03-20' }),
      item(3, { dueOn: '2025-03-10', owner: null }),
      done(4, '2025-03-10T09:00:00Z'),
      item(5, { dueOn: '2025-03-14' }),
      item(6, { dueOn: '2025-03-12' }),
      done(7, '2025-03-12T09:00:00Z'),
      item(8, { dueOn: '2025-03-20' }),
      item(9),
    ];
    const v = view(snap(null, items));
    expect(v.postmortem).toBeNull();
    expect(v.open.map((x) => x.number)).toEqual([3, 6, 5, 2, 8, 1, 9]);
    expect(v.open.map((x) => x.overdue)).toEqual([true, true, false, false, false, false, false]);
    expect(v.done.map((x) => x.number)).toEqual([7, 4]);
    expect(v.counts).toEqual({ open: 7, done: 2 });
    expect(v.summary).toBe('INC-42 follow-up: 7 of 9 action items open');
    expect(lines(v).slice(0, 3)).toEqual([
      '#3 Item 3 · no owner · due 2025-03-10 (overdue)',
      '#6 Item 6 · @UCMDR0001 · due 2025-03-12 (overdue)',
      '#5 Item 5 · @UCMDR0001 · due 2025-03-14',
    ]);
    expect(lines(v).at(-1)).toBe('✅ #4 Item 4 · done by @UBOB00002 2025-03-10 09:00 UTC');
  });

  it('gives each open item a Done button for that item, and done items none', () => {
    const v = view(snap(postmortem('published'), [item(1), item(2), done(3, '2025-03-12T09:00:00Z')]));
    expect(v.open.map((x) => x.actions)).toEqual([
      [{ label: 'Done', payload: { a: 'item', i: INCIDENT_ID, n: 1 } }],
      [{ label: 'Done', payload: { a: 'item', i: INCIDENT_ID, n: 2 } }],
    ]);
    expect(v.done[0]!.actions).toEqual([]);
  });

  it('caps what it shows and names the command that lists the rest', () => {
    const items = [
      ...Array.from({ length: 200 }, (_v, k) => item(k + 1, { dueOn: k % 3 === 0 ? null : `2025-03-${String(1 + (k % 28)).padStart(2, '0')}` })),
      ...Array.from({ length: 50 }, (_v, k) => done(201 + k, new Date(Date.UTC(2025, 2, 10, 0, k)).toISOString())),
    ];
    const v = view(snap(postmortem('draft'), items));
    expect(v.open).toHaveLength(FOLLOW_UP_CAPS.open);
    expect(v.done).toHaveLength(FOLLOW_UP_CAPS.done);
    expect(v.counts).toEqual({ open: 200, done: 50 });
    const hidden = 250 - FOLLOW_UP_CAPS.open - FOLLOW_UP_CAPS.done;
    expect(v.more).toEqual([`${hidden} more: `, { command: 'action list' }]);
    // The most urgent are the ones shown; the latest done ones.
    expect(v.open.every((x) => x.overdue)).toBe(true);
    expect(v.done[0]!.number).toBe(250);

    const fewer = trimFollowUp(v, 5, 0);
    expect([fewer.open.length, fewer.done.length]).toEqual([5, 0]);
    expect(fewer.more).toEqual(['245 more: ', { command: 'action list' }]);
    expect(trimFollowUp(view(snap(null, [item(1)])), 1, 1).more).toBeNull();
  });

  it('keeps an item to one line and clips long text', () => {
    const v = view(snap(null, [item(1, { text: `first\nsecond ${'x'.repeat(500)}` }), done(2, '2025-03-12T09:00:00Z', { text: 'y'.repeat(500) })]));
    const [open, closed] = lines(v);
    expect(open).toMatch(/^#1 first second x+… · @UCMDR0001$/);
    expect(open!.length).toBeLessThan(260);
    expect(closed).toMatch(/^✅ #2 y+… · done by /);
    expect(closed!.length).toBeLessThan(140);
  });

  it('names everyone it shows, for surfaces that look up names', () => {
    const v = view(snap(postmortem('draft', { owner: 'UOWNER001' }), [item(1, { owner: 'UITEM0001' }), done(2, '2025-03-12T09:00:00Z')]));
    const users = followUpTexts(v).flatMap((t) => t.flatMap((s) => (typeof s === 'object' && 'user' in s ? [s.user] : [])));
    expect(new Set(users)).toEqual(new Set(['UOWNER001', 'UITEM0001', DONE_BY]));
  });

  it('counts an item overdue from the day after its due day (UTC), the last minute of that day included', () => {
    const at = (iso: string) => followUpView(snap(null, [item(1, { dueOn: '2025-03-13' })]), runbook, new Date(iso), 'UTC')!.open[0]!.overdue;
    expect(at('2025-03-13T23:59:59Z')).toBe(false);
    expect(at('2025-03-14T00:00:00Z')).toBe(true);
  });
});
