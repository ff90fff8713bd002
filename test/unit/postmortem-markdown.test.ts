import type { ActionItem, Postmortem, Snapshot } from '../../src/core/model';
import type { TimelineEvent } from '../../src/core/ports';
import { postmortemFileName, postmortemMarkdown } from '../../src/core/render/postmortem';
import type { Runbook } from '../../src/core/runbook/schema';
import { ACKNOWLEDGED_AT, COMMANDER, DECLARED_AT, DECLARER, ENDED_AT, MITIGATED_AT, makeRunbook, makeSnapshot } from '../support/factories';

const OPS = 'UOPS00001';
const BOB = 'UBOB00002';
const OWNER = 'UOWN00003';
const BOT = 'incident-bot';

const HOSTILE_TITLE = 'PDFs | 404 # for `some` tenants';
const HOSTILE_RESOLUTION =
  '# Not a heading\n\n- not a list\n| not | a | table |\n`code` <script>alert(1)</script> [click](javascript:alert(1)) **bold** _it_ ~~gone~~ &lt; \\';
const HOSTILE_ITEM = 'Add a 404 | alert\nfor <b>every</b> tenant [x](javascript:void(0))';
const DIAGNOSED_AT = new Date('2025-03-07T09:33:00Z');

const at = (hhmm: string) => new Date(`2025-03-07T${hhmm}:00Z`);

function runbook(): Runbook {
  return makeRunbook({
    probes: [
      {
        id: 'smoke-pdf',
        kind: 'http',
        title: 'Smoke PDF',
        auto: true,
        path: '/api/pdf',
        method: 'GET',
        as: 'standard-user',
        expect_status: 200,
        timeout: '10s',
      },
    ],
    edge_cases: [
      { case: 'Emailed link older than 7 days', fallback: 'Re-send from the invoice page' },
      { case: 'Admins can download, members get 404', fallback: 'Roll back the permission change' },
    ],
  });
}

/** Every kind the bot records, in the order a real incident would record them. */
function fullTimeline(): TimelineEvent[] {
  const e = (hhmm: string, actor: string, kind: string, data: Record<string, unknown> = {}): TimelineEvent => ({ at: at(hhmm), actor, kind, data });
  return [
    e('09:15', DECLARER, 'incident.declared', { runbook: 'pdf-404', severity: 2, title: HOSTILE_TITLE }),
    e('09:15', DECLARER, 'probe.requested', { probes: ['smoke-pdf'], via: 'declare' }),
    e('09:15', BOT, 'incident.channel_opened', { channel: 'C00000001', name: 'inc-42-pdfs' }),
    e('09:16', BOT, 'probe.finished', { probe: 'smoke-pdf', run: 'r1', status: 'fail', reason: 'expected 200, got 404 | Not Found', duration_ms: 120 }),
    e('09:17', BOT, 'escalation.fired', { level: 1, targets: ['@oncall'], reason: 'timeout' }),
    e('09:18', OPS, 'incident.setup_retried', { by: OPS }),
    e('09:20', OPS, 'incident.acknowledged', { via: 'button' }),
    e('09:22', OPS, 'step.completed', { step: 'look', title: 'Look at the logs' }),
    e('09:23', OPS, 'step.reopened', { step: 'look', title: 'Look at the logs' }),
    e('09:24', OPS, 'probe.requested', { probes: ['smoke-pdf'], via: 'one' }),
    e('09:25', COMMANDER, 'escalation.fired', { level: 2, targets: ['@documents-lead', '#eng-incidents'], reason: 'manual', note: 'need | help\nnow' }),
    e('09:26', COMMANDER, 'incident.severity_changed', { from: 2, to: 1 }),
    e('09:27', COMMANDER, 'incident.commander_changed', { from: COMMANDER, to: BOB }),
    e('09:30', BOT, 'diagnosis.overdue', { within: '15m' }),
    e('09:33', BOB, 'step.completed', { step: 'cause', title: 'State the cause' }),
    e('09:33', BOB, 'incident.diagnosed', { step: 'cause' }),
    e('09:35', BOB, 'edge_case.hit', { case: 2, note: 'tenant # 7 | only' }),
    e('09:42', BOB, 'step.completed', { step: 'fix', title: 'Re-render or roll back' }),
    e('09:42', BOB, 'incident.mitigated', { step: 'fix' }),
    e('10:30', BOB, 'incident.resolved', { summary: HOSTILE_RESOLUTION }),
    e('10:31', BOT, 'postmortem.opened', { owner: OWNER, due: '2025-03-14' }),
    e('10:40', OWNER, 'action_item.added', { number: 1, text: HOSTILE_ITEM, owner: BOB, due: '2025-03-10' }),
    e('10:41', OWNER, 'action_item.added', { number: 2, text: 'Alert on render failures', owner: null, due: null }),
    e('10:50', BOB, 'action_item.closed', { number: 2 }),
    e('11:00', OWNER, 'postmortem.moved', { to: 'in_review' }),
    e('11:01', BOT, 'chat.something_new', { whatever: true }),
  ];
}

const POSTMORTEM: Postmortem = {
  status: 'in_review',
  owner: OWNER,
  dueOn: '2025-03-14',
  openedAt: at('10:31'),
  openedBy: BOT,
  reviewedAt: at('11:00'),
  publishedAt: null,
  closedAt: null,
  // Hostile where a person types: a heading, a list, HTML, a link, emphasis across lines.
  analysis: {
    impactSummary: '# 40 tenants\n- could not <b>download</b> invoices',
    rootCause: 'Keys rotated; [cached](javascript:alert(1)) PDFs kept *old* URLs\n\n\n1. nobody re-rendered them',
    causeCategory: 'storage-keys-rotated',
    contributingFactors: 'No alert on the 404 rate | per tenant',
    wentWell: 'n/a',
    wentBadly: null,
    lessons: '=== rotate keys with the renderer ===',
  },
};

const ITEMS: ActionItem[] = [
  { number: 1, text: HOSTILE_ITEM, owner: BOB, dueOn: '2025-03-10', createdAt: at('10:40'), createdBy: OWNER, closedAt: null, closedBy: null },
  { number: 2, text: 'Alert on render failures', owner: null, dueOn: null, createdAt: at('10:41'), createdBy: OWNER, closedAt: at('10:50'), closedBy: BOB },
];

function resolvedSnapshot(over: Partial<Snapshot> = {}): Snapshot {
  const s = makeSnapshot({
    runbook: runbook(),
    status: 'resolved',
    done: ['look', 'cause', 'fix'],
    incident: {
      title: HOSTILE_TITLE,
      severity: 1,
      commander: BOB,
      acknowledgedAt: ACKNOWLEDGED_AT,
      diagnosedAt: DIAGNOSED_AT,
      mitigatedAt: MITIGATED_AT,
      resolvedAt: ENDED_AT,
      resolution: HOSTILE_RESOLUTION,
    },
  });
  return { ...s, postmortem: POSTMORTEM, actionItems: ITEMS, ...over };
}

const NAMES: Record<string, string> = { [BOB]: 'Bob | Smith', [OWNER]: 'Olga *Owner*' };
const names = (id: string) => NAMES[id] ?? null;

/** `|` that Markdown reads as a cell separator: not escaped by an odd run of backslashes. */
function unescaped(line: string, ch: string): number {
  let n = 0;
  let slashes = 0;
  for (const c of line) {
    if (c === ch && slashes % 2 === 0) n++;
    slashes = c === '\\' ? slashes + 1 : 0;
  }
  return n;
}

/** The document's tables, each as its lines. */
function tables(md: string): string[][] {
  const out: string[][] = [];
  let current: string[] | null = null;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) (current ??= []).push(line);
    else if (current) {
      out.push(current);
      current = null;
    }
  }
  if (current) out.push(current);
  return out;
}

/** The lines of one section, without its heading. */
function section(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l !== '');
}

function timelineRows(md: string): string[] {
  return section(md, 'Timeline').slice(2);
}

const SECTIONS = [
  'Summary',
  'Impact',
  'Impact window',
  'Key times',
  'Root cause',
  'Contributing factors',
  'Resolution',
  'Timeline',
  'Edge cases hit',
  'What went well',
  'What went badly',
  'Lessons',
  'Action items',
];

describe('postmortemMarkdown', () => {
  const md = postmortemMarkdown({ snapshot: resolvedSnapshot(), runbook: runbook(), timeline: fullTimeline(), names });

  it('has the title and every section, in order, and no other heading', () => {
    const headings = md.split('\n').filter((l) => /^#{1,6}\s/.test(l));
    expect(headings).toEqual(['# Post-mortem: INC-42 · PDFs \\| 404 \\# for \\`some\\` tenants', ...SECTIONS.map((s) => `## ${s}`)]);
  });

  it('heads the document with the post-mortem and the incident at a glance', () => {
    expect(tables(md)[0]).toEqual([
      '| Field | Value |',
      '| --- | --- |',
      '| Status | In review |',
      '| Owner | Olga \\*Owner\\* |',
      '| Due | 2025-03-14 |',
      '| Severity | SEV1 |',
      '| Runbook | Generated PDFs return 404 (pdf-404) |',
      '| Commander | Bob \\| Smith |',
      `| Declared by | ${DECLARER} |`,
      '| Class | pdf |',
    ]);
  });

  it('says "not opened" when the incident has no post-mortem', () => {
    for (const postmortem of [null, undefined]) {
      const out = postmortemMarkdown({ snapshot: resolvedSnapshot({ postmortem }), runbook: runbook(), timeline: [] });
      expect(out).toContain('| Status | not opened |');
      expect(out).toContain('| Owner | — |');
    }
  });

  it('words the impact window and the key times of this incident', () => {
    expect(section(md, 'Impact window')).toEqual([
      'From 2025-03-07 09:15 UTC (declared) to 2025-03-07 10:30 UTC (resolved): 1 h 15 min.',
      'Mitigated at 2025-03-07 09:42 UTC, 27 min after the declaration.',
    ]);
    expect(section(md, 'Key times')).toEqual([
      '| Measure | This incident |',
      '| --- | --- |',
      '| MTTA (declared → acknowledged) | 5 min |',
      '| Time to diagnose (declared → diagnosed) | 18 min |',
      '| MTTR (declared → resolved) | 1 h 15 min |',
      "Diagnosis target missed: the cause was recorded 18 min after the declaration; the runbook's target is 15 min.",
    ]);
  });

  it("measures diagnosis against the runbook's diagnose_within, and says what was not recorded", () => {
    const quick = postmortemMarkdown({
      snapshot: resolvedSnapshot(),
      runbook: makeRunbook({ ...runbook(), diagnose_within: '20m' }),
      timeline: [],
    });
    expect(quick).toContain("Diagnosis target met: the cause was recorded 18 min after the declaration; the runbook's target is 20 min.");

    const open = makeSnapshot({ runbook: runbook(), status: 'declared' });
    const out = postmortemMarkdown({ snapshot: open, runbook: runbook(), timeline: [], now: new Date(DECLARED_AT.getTime() + 65 * 60_000) });
    expect(section(out, 'Impact window')).toEqual(['From 2025-03-07 09:15 UTC (declared), still open: 1 h 5 min so far, as of 2025-03-07 10:20 UTC.']);
    expect(out).toContain('| MTTA (declared → acknowledged) | not recorded |');
    expect(out).toContain('| Time to diagnose (declared → diagnosed) | not recorded |');
    expect(out).toContain('| MTTR (declared → resolved) | not recorded |');
    expect(out).toContain("Diagnosis target missed: no cause recorded yet, 1 h 5 min after the declaration; the runbook's target is 15 min.");
    expect(section(out, 'Resolution')).toEqual(['Not resolved yet.']);
    expect(section(out, 'Timeline')).toEqual(['No events were recorded.']);
  });

  it('ends a cancelled incident at its cancellation and quotes the reason', () => {
    const s = makeSnapshot({ runbook: runbook(), status: 'cancelled' });
    const out = postmortemMarkdown({
      snapshot: s,
      runbook: runbook(),
      timeline: [{ at: ENDED_AT, actor: COMMANDER, kind: 'incident.cancelled', data: { reason: 'false | alarm' } }],
    });
    expect(section(out, 'Impact window')).toEqual(['From 2025-03-07 09:15 UTC (declared) to 2025-03-07 10:30 UTC (cancelled): 1 h 15 min.']);
    expect(out).toContain('| MTTR (declared → resolved) | not recorded |');
    expect(section(out, 'Resolution')).toEqual(['The incident was cancelled, not resolved. Reason given: false \\| alarm']);
    expect(timelineRows(out)).toEqual([`| 2025-03-07 10:30 | ${COMMANDER} | Cancelled: false \\| alarm |`]);
  });

  it('gives the resolution as typed, or says none was given', () => {
    expect(section(md, 'Resolution')).toEqual([
      '\\# Not a heading',
      '\\- not a list',
      '\\| not \\| a \\| table \\|',
      '\\`code\\` \\<script\\>alert(1)\\</script\\> \\[click\\](javascript:alert(1)) \\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~ \\&lt; \\\\',
    ]);
    const none = resolvedSnapshot();
    none.incident = { ...none.incident, resolution: null };
    expect(section(postmortemMarkdown({ snapshot: none, runbook: runbook(), timeline: [] }), 'Resolution')).toEqual(['No summary was given at resolve.']);
  });

  it('has one timeline row per event, in order, worded for people', () => {
    const rows = timelineRows(md);
    expect(rows).toHaveLength(fullTimeline().length);
    expect(rows).toEqual([
      `| 2025-03-07 09:15 | ${DECLARER} | Declared as SEV2 with runbook pdf-404: PDFs \\| 404 \\# for \\\`some\\\` tenants |`,
      `| 2025-03-07 09:15 | ${DECLARER} | Checks started with the declaration: Smoke PDF |`,
      '| 2025-03-07 09:15 | incident-bot | Incident channel opened: \\#inc-42-pdfs |',
      '| 2025-03-07 09:16 | incident-bot | Check Smoke PDF: fail — expected 200, got 404 \\| Not Found |',
      '| 2025-03-07 09:17 | incident-bot | Escalated to level 1 (timeout): @oncall |',
      `| 2025-03-07 09:18 | ${OPS} | Channel setup retried |`,
      `| 2025-03-07 09:20 | ${OPS} | Acknowledged |`,
      `| 2025-03-07 09:22 | ${OPS} | Step 1 done: Look at the logs |`,
      `| 2025-03-07 09:23 | ${OPS} | Step 1 reopened: Look at the logs |`,
      `| 2025-03-07 09:24 | ${OPS} | Check requested: Smoke PDF |`,
      `| 2025-03-07 09:25 | ${COMMANDER} | Escalated to level 2 (manual): @documents-lead, \\#eng-incidents — need \\| help now |`,
      `| 2025-03-07 09:26 | ${COMMANDER} | Severity changed from SEV2 to SEV1 |`,
      `| 2025-03-07 09:27 | ${COMMANDER} | Commander changed to Bob \\| Smith (was ${COMMANDER}) |`,
      '| 2025-03-07 09:30 | incident-bot | Diagnosis overdue: no cause recorded within 15 min |',
      '| 2025-03-07 09:33 | Bob \\| Smith | Step 2 done: State the cause |',
      '| 2025-03-07 09:33 | Bob \\| Smith | Diagnosed (step 2: State the cause) |',
      '| 2025-03-07 09:35 | Bob \\| Smith | Edge case 2 hit: Admins can download, members get 404 — tenant \\# 7 \\| only |',
      '| 2025-03-07 09:42 | Bob \\| Smith | Step 3 done: Re-render or roll back |',
      '| 2025-03-07 09:42 | Bob \\| Smith | Mitigated (step 3: Re-render or roll back) |',
      '| 2025-03-07 10:30 | Bob \\| Smith | Resolved: \\# Not a heading - not a list \\| not \\| a \\| table \\| \\`code\\` \\<script\\>alert(1)\\</script\\> \\[click\\](javascript:alert(1)) \\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~ \\&lt; \\\\ |',
      '| 2025-03-07 10:31 | incident-bot | Post-mortem opened (owner Olga \\*Owner\\*, due 2025-03-14) |',
      '| 2025-03-07 10:40 | Olga \\*Owner\\* | Action item 1 added: Add a 404 \\| alert for \\<b\\>every\\</b\\> tenant \\[x\\](javascript:void(0)) (owner Bob \\| Smith, due 2025-03-10) |',
      '| 2025-03-07 10:41 | Olga \\*Owner\\* | Action item 2 added: Alert on render failures |',
      '| 2025-03-07 10:50 | Bob \\| Smith | Action item 2 done: Alert on render failures |',
      '| 2025-03-07 11:00 | Olga \\*Owner\\* | Post-mortem moved to In review |',
      '| 2025-03-07 11:01 | incident-bot | chat.something\\_new |',
    ]);
  });

  it('words the other shapes events come in, and never throws on odd data', () => {
    const e = (kind: string, data: Record<string, unknown>): TimelineEvent => ({ at: at('09:40'), actor: OPS, kind, data });
    const timeline = [
      e('incident.diagnosed', { via: 'command', cause: 'stale CDN | path' }),
      e('incident.diagnosed', { via: 'button', cause: null }),
      e('incident.mitigated', { via: 'command' }),
      e('incident.acknowledged', { via: 'step' }),
      e('incident.resolved', { summary: null }),
      e('step.completed', { step: 'gone', title: 'A step since removed' }),
      e('edge_case.hit', { case: 9 }),
      e('postmortem.moved', { to: 'published' }),
      e('postmortem.moved', { to: 'closed' }),
      e('probe.finished', { probe: 'unknown-probe', status: 'error', reason: '' }),
      e('escalation.fired', { level: 'x', targets: 'not a list' }),
      e('incident.severity_changed', {}),
      e('totally.unknown', { nested: { deep: [1, 2] } }),
      { at: new Date('nope'), actor: '', kind: 'weird|kind', data: null as unknown as Record<string, unknown> },
    ];
    const out = postmortemMarkdown({ snapshot: resolvedSnapshot(), runbook: runbook(), timeline });
    expect(timelineRows(out)).toEqual([
      `| 2025-03-07 09:40 | ${OPS} | Diagnosed: stale CDN \\| path |`,
      `| 2025-03-07 09:40 | ${OPS} | Diagnosed |`,
      `| 2025-03-07 09:40 | ${OPS} | Mitigated |`,
      `| 2025-03-07 09:40 | ${OPS} | Acknowledged (by working the checklist) |`,
      `| 2025-03-07 09:40 | ${OPS} | Resolved |`,
      `| 2025-03-07 09:40 | ${OPS} | Step done: A step since removed |`,
      `| 2025-03-07 09:40 | ${OPS} | Edge case 9 hit |`,
      `| 2025-03-07 09:40 | ${OPS} | Post-mortem moved to Published |`,
      `| 2025-03-07 09:40 | ${OPS} | Post-mortem moved to Closed |`,
      `| 2025-03-07 09:40 | ${OPS} | Check unknown-probe: error |`,
      `| 2025-03-07 09:40 | ${OPS} | Escalated to level ? |`,
      `| 2025-03-07 09:40 | ${OPS} | Severity set to SEV? |`,
      `| 2025-03-07 09:40 | ${OPS} | totally.unknown |`,
      '| unknown time | unknown | weird\\|kind |',
    ]);
    expect(section(out, 'Edge cases hit')).toEqual([`- Edge case 9, hit 2025-03-07 09:40 UTC by ${OPS}: not in the runbook as loaded now.`]);
  });

  it('lists the edge cases hit with the runbook case, its fallback and the note', () => {
    expect(section(md, 'Edge cases hit')).toEqual([
      '- Edge case 2, hit 2025-03-07 09:35 UTC by Bob \\| Smith: Admins can download, members get 404',
      '  - Fallback: Roll back the permission change',
      '  - Note: tenant \\# 7 \\| only',
    ]);
  });

  it("says none were hit, and lists the runbook's edge cases for review", () => {
    const out = postmortemMarkdown({ snapshot: resolvedSnapshot(), runbook: runbook(), timeline: [] });
    expect(section(out, 'Edge cases hit')).toEqual([
      'None recorded.',
      'Edge cases in the runbook, for review:',
      '- Emailed link older than 7 days — fallback: Re-send from the invoice page',
      '- Admins can download, members get 404 — fallback: Roll back the permission change',
    ]);
  });

  it('tables the action items: open, overdue from the day after the due day, done with when and by whom', () => {
    expect(section(md, 'Action items')).toEqual([
      '| # | Item | Owner | Due | Status |',
      '| --- | --- | --- | --- | --- |',
      '| 1 | Add a 404 \\| alert for \\<b\\>every\\</b\\> tenant \\[x\\](javascript:void(0)) | Bob \\| Smith | 2025-03-10 | Open |',
      '| 2 | Alert on render failures | — | — | Done 2025-03-07 by Bob \\| Smith |',
    ]);
    const onDueDay = postmortemMarkdown({ snapshot: resolvedSnapshot(), runbook: runbook(), timeline: [], now: new Date('2025-03-10T23:59:00Z') });
    expect(onDueDay).toContain('| 2025-03-10 | Open |');
    const dayAfter = postmortemMarkdown({ snapshot: resolvedSnapshot(), runbook: runbook(), timeline: [], now: new Date('2025-03-11T00:00:00Z') });
    expect(dayAfter).toContain('| 2025-03-10 | Overdue |');
  });

  it('reads the action items off the timeline when the snapshot was read without them, and says when there are none', () => {
    const out = postmortemMarkdown({ snapshot: resolvedSnapshot({ actionItems: undefined }), runbook: runbook(), timeline: fullTimeline(), names });
    expect(section(out, 'Action items')).toEqual(section(md, 'Action items'));
    const none = postmortemMarkdown({ snapshot: resolvedSnapshot({ actionItems: [] }), runbook: runbook(), timeline: [] });
    expect(section(none, 'Action items')).toEqual(['None yet.']);
  });

  it('keeps hostile text inside its cell or paragraph', () => {
    for (const t of tables(md)) {
      const columns = unescaped(t[0]!, '|');
      for (const line of t) expect([line, unescaped(line, '|')]).toEqual([line, columns]);
    }
    for (const line of md.split('\n')) {
      // No raw HTML, code span, emphasis, strikethrough or link survives unescaped.
      for (const ch of ['<', '>', '`', '*', '_', '~', '[', ']']) expect([line, ch, unescaped(line, ch)]).toEqual([line, ch, 0]);
      // Nothing user-supplied starts a block: only our own headings, list items and table rows do.
      if (/^(#|>|\d+[.)]\s|[-+*]\s|=+\s*$|-{3,}\s*$)/.test(line)) {
        expect(line).toMatch(/^(# Post-mortem: |## |- (Edge case|Emailed link|Admins can)| {2}- (Fallback|Note): )/);
      }
    }
  });

  it('holds the analysis as written, escaped, with "n/a" and empty parts said in words', () => {
    const section = (h: string) => md.split(`\n## ${h}\n\n`)[1]!.split('\n## ')[0]!.trimEnd();
    expect(section('Impact')).toBe('\\# 40 tenants\\\n\\- could not \\<b\\>download\\</b\\> invoices');
    expect(section('Root cause')).toBe(
      'Keys rotated; \\[cached\\](javascript:alert(1)) PDFs kept \\*old\\* URLs\n\n1\\. nobody re-rendered them\n\nCause category: storage-keys-rotated',
    );
    expect(section('Contributing factors')).toBe('No alert on the 404 rate \\| per tenant');
    expect(section('What went well')).toBe('Not applicable.');
    expect(section('What went badly')).toBe('Not written yet.');
    expect(section('Lessons')).toBe('\\=== rotate keys with the renderer ===');
  });

  it('escapes names and ids, and shows raw ids without names', () => {
    const out = postmortemMarkdown({ snapshot: resolvedSnapshot(), runbook: runbook(), timeline: fullTimeline() });
    expect(out).toContain(`| Commander | ${BOB} |`);
    expect(out).toContain(`| 2025-03-07 10:31 | incident-bot | Post-mortem opened (owner ${OWNER}, due 2025-03-14) |`);
  });

  it('names the file after the incident', () => {
    expect(postmortemFileName(resolvedSnapshot())).toBe('INC-42-postmortem.md');
  });
});
