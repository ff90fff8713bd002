import path from 'node:path';
import type { IncidentAction, Problem, Role } from '../../src/core/errors';
import { UserError } from '../../src/core/errors';
import { decideResolve } from '../../src/core/incident/resolve';
import type { Incident, Status } from '../../src/core/model';
import {
  acknowledgedText,
  actionAlreadyAddedText,
  cancelledText,
  causeRecordedText,
  commanderText,
  diagnosisOverdueText,
  helpText,
  listText,
  mitigatedText,
  problemText,
  resolvedText,
  setupRetriedText,
  severityText,
  statusText,
  type DiagnosisOverdue,
} from '../../src/core/render/replies';
import { plainText, type Text } from '../../src/core/text/text';
import { RunbookCatalog } from '../../src/core/runbook/catalog';
import { loadCatalog } from '../../src/core/runbook/loader';
import { COMMANDER, DECLARER, makeIncident, makeRunbook, makeSnapshot } from '../support/factories';

// Every sentence the bot says lives in replies.ts. These tests read them as plain text, the way a
// person would, and check each refusal tells them what to do next.

const ACK_AT = new Date('2025-03-07T09:20:00Z');
const DIAG_AT = new Date('2025-03-07T09:31:00Z');
const MITI_AT = new Date('2025-03-07T09:42:00Z');
const END_AT = new Date('2025-03-07T10:30:00Z');

/** Every step of the default runbook's checklist, for a snapshot with all of them done. */
const ALL_STEPS = ['look', 'cause', 'fix'];

/** Every string anywhere inside `value`: plain spans and the contents of rich ones. */
function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value instanceof Date || value === null || typeof value !== 'object') return [];
  return Object.values(value as Record<string, unknown>).flatMap(allStrings);
}

const SLACK_MARKUP = /<[@#!]/;
const shipped = () => loadCatalog(path.resolve(__dirname, '../../playbooks'));

/** One of every Problem; the mapped type makes the compiler insist on a new code being added here. */
const PROBLEMS: { [C in Problem['code']]: Extract<Problem, { code: C }> } = {
  unknown_runbook: { code: 'unknown_runbook', input: 'pdf-4O4', suggestions: ['pdf-404'], runbooks: ['pdf-404', 'queue-failure'] },
  same_runbook: { code: 'same_runbook', incident: 'INC-42', runbook: 'pdf-404', others: ['queue-failure', 'storage-permissions'] },
  not_allowed: {
    code: 'not_allowed',
    incident: 'INC-42',
    action: 'resolve',
    can: [{ role: 'commander', user: COMMANDER }, { role: 'declarer', user: DECLARER }, { role: 'admin' }],
  },
  not_participant: { code: 'not_participant', incident: 'INC-42', action: 'tick_steps', channel: 'C00000001' },
  ended: { code: 'ended', incident: 'INC-42', status: 'resolved', action: 'cancel', runbook: 'pdf-404' },
  invalid_input: { code: 'invalid_input', field: 'severity' },
  too_long: { code: 'too_long', field: 'summary', max: 500, length: 612 },
  invisible_text: { code: 'invisible_text', field: 'summary' },
  search_query: { code: 'search_query', reason: 'too_long', max: 200, length: 250 },
  unknown_step: { code: 'unknown_step', incident: 'INC-42', step: 'no-such-step' },
  unknown_probe: { code: 'unknown_probe', incident: 'INC-42', probe: 'nope', probes: ['me-standard-user', 'pdf-render-queue'] },
  not_found: { code: 'not_found' },
  unknown_incident: { code: 'unknown_incident', ref: 99 },
  not_in_incident: { code: 'not_in_incident', command: 'ack' },
  stale_button: { code: 'stale_button' },
  wrong_place: { code: 'wrong_place', incident: 'INC-42', channel: 'C00000001' },
  no_more_levels: { code: 'no_more_levels', incident: 'INC-42', levels: 3, channel: 'C00000001' },
  unknown_action_item: { code: 'unknown_action_item', incident: 'INC-42', number: 7, open: [1, 3] },
  no_postmortem: { code: 'no_postmortem', incident: 'INC-42' },
  postmortem_state: { code: 'postmortem_state', incident: 'INC-42', status: 'closed', to: 'in_review' },
  unknown_edge_case: { code: 'unknown_edge_case', incident: 'INC-42', number: 9, count: 3 },
  relation_to_itself: { code: 'relation_to_itself', incident: 'INC-42', relation: 'duplicate' },
  impact_start: {
    code: 'impact_start',
    incident: 'INC-42',
    reason: 'after_declaration',
    at: new Date('2026-12-05T02:10:00Z'),
    declaredAt: new Date('2026-12-05T01:54:00Z'),
    tz: 'Europe/Berlin',
  },
  duplicate_of_duplicate: { code: 'duplicate_of_duplicate', incident: 'INC-42', target: 'INC-9', original: 'INC-7' },
  invalid_category: { code: 'invalid_category', input: 'Storage Keys!' },
  analysis_missing: { code: 'analysis_missing', incident: 'INC-42', to: 'published', fields: ['causeCategory', 'lessons'] },
  analysis_locked: { code: 'analysis_locked', incident: 'INC-42', status: 'published' },
  not_validated: {
    code: 'not_validated',
    incident: 'INC-42',
    unconfirmed: [
      { number: 2, text: 'GET /api/v1/invoices/inv_smoke_0001/pdf as standard-user returns 200' },
      { number: 3, text: 'INV-SMOKE-0001 downloads in the UI' },
    ],
  },
};

/** What a person reads for each problem above. */
const EXPECTED: Record<Problem['code'], string> = {
  unknown_runbook: 'Unknown runbook "pdf-4O4". Did you mean pdf-404? Runbooks: pdf-404, queue-failure. Try pdf-404 <summary>.',
  same_runbook: 'INC-42 already follows the pdf-404 runbook. To switch, name another (queue-failure, storage-permissions): runbook queue-failure <why>.',
  not_allowed:
    'Only the commander (@UCMDR0001), the declarer (@UDECL0001) or an incident admin can resolve INC-42. ' +
    'Ask one of them, or ask the commander to hand over with commander @you.',
  not_participant: 'Join #C00000001 to tick steps on INC-42: only people in the incident channel can.',
  ended: 'INC-42 is already resolved, so you cannot cancel it. If the problem is back, declare a new incident with pdf-404 ….',
  invalid_input: 'Severity is a number from 1 (worst) to 4. Try sev 2.',
  too_long: 'That summary is 612 characters; keep it to 500. Put the details in the incident channel instead.',
  search_query: 'That search is 250 characters; keep it to 200. A few words of the cause or the symptom find more, e.g. search key rotated.',
  invisible_text: 'That summary shows nothing: it has only spaces or invisible characters. Write it in words people can read.',
  unknown_step: 'INC-42 has no step "no-such-step". Refresh with status.',
  unknown_probe: 'INC-42\'s runbook has no check "nope". Its checks: me-standard-user, pdf-render-queue. Try probe me-standard-user or probe all.',
  not_found: 'That incident no longer exists. Run list to see the open ones.',
  unknown_incident: 'There is no INC-99 in this workspace. Run list to see the open ones.',
  not_in_incident: "ack works inside an incident channel, and this is not one. Open the incident's channel (see list) and run it there.",
  stale_button: 'This button is from an old message. Run status in the incident channel for the current checklist.',
  wrong_place: 'This button belongs to INC-42 in #C00000001. Use it there, where the incident is worked.',
  no_more_levels: 'INC-42 has already been escalated to all 3 levels of its runbook. Mention whoever else you need in #C00000001.',
  unknown_action_item: 'INC-42 has no action item #7. Open ones: #1, #3. See action list.',
  no_postmortem: 'INC-42 has no post-mortem yet. Open one with postmortem.',
  postmortem_state: "INC-42's post-mortem is closed, so it cannot go to in review from here. See where it stands with postmortem.",
  unknown_edge_case: "INC-42's runbook has 3 edge cases, numbered 1 to 3; there is no #9. See them all, with their numbers: edge.",
  relation_to_itself: 'INC-42 cannot be a duplicate of itself. Run duplicate INC-<n> in the channel of the duplicate, naming the original.',
  impact_start:
    'Impact cannot start after INC-42 was declared: 03:10 Europe/Berlin is 16 min after the declaration at 02:54. Nothing was changed. ' +
    'Give the time impact began, e.g. started 02:40.',
  duplicate_of_duplicate: 'INC-9 is itself a duplicate of INC-7. Mark INC-42 as a duplicate of the original instead: duplicate INC-7.',
  invalid_category:
    '"Storage Keys!" is not a cause category. Write it as a short slug of lowercase letters, digits and single dashes, at most 64 characters, ' +
    'e.g. analysis category storage-keys-rotated, or n/a when no category fits.',
  analysis_missing:
    "INC-42's post-mortem cannot be published yet: Cause category, Lessons are still empty. " +
    'Write each (Edit analysis on the draft or the follow-up message, or analysis <part> <text>), or n/a where it does not apply.',
  analysis_locked:
    "INC-42's post-mortem is published, so its analysis stays as it was published. Add what you learned since with note <text> or action add <what to do>.",
  not_validated:
    'INC-42 is not resolved: confirm every quick validation check first. Not confirmed: ' +
    '2. GET /api/v1/invoices/inv_smoke_0001/pdf as standard-user returns 200; 3. INV-SMOKE-0001 downloads in the UI. ' +
    'Check them as a standard user, then tick them, or type resolve --validated <summary>. Only an incident admin can resolve without them, and that is recorded.',
};

const allProblems = (): Problem[] => [
  ...Object.values(PROBLEMS),
  { code: 'invalid_input', field: 'commander' },
  { code: 'invalid_input', field: 'class' },
  { code: 'invalid_input', field: 'link' },
  { code: 'relation_to_itself', incident: 'INC-42', relation: 'link' },
  { code: 'unknown_runbook', input: 'auth', suggestions: [], runbooks: ['general', 'pdf-404'] },
  { code: 'too_long', field: 'reason', max: 500, length: 501 },
  { code: 'unknown_runbook', input: 'zzz', suggestions: [], runbooks: [] },
  { code: 'unknown_runbook', input: 'storag', suggestions: ['storage-permissions'], runbooks: ['storage-permissions'], switching: true },
  { code: 'invalid_input', field: 'runbook' },
  { code: 'invalid_input', field: 'analysis' },
  { code: 'analysis_missing', incident: 'INC-42', to: 'in_review', fields: ['rootCause'] },
  { code: 'search_query', reason: 'empty' },
  { code: 'invalid_input', field: 'impact_start' },
  {
    code: 'impact_start',
    incident: 'INC-42',
    reason: 'too_early',
    at: new Date('2026-10-05T02:10:00Z'),
    declaredAt: new Date('2026-12-05T01:54:00Z'),
    tz: 'Europe/Berlin',
  },
  { code: 'not_participant', incident: 'INC-42', action: 'acknowledge', channel: null },
  { code: 'ended', incident: 'INC-42', status: 'cancelled', action: 'tick_steps', runbook: 'pdf-404' },
];

describe('problemText', () => {
  it.each(Object.keys(PROBLEMS) as Array<Problem['code']>)('words %s as what went wrong and what to do next', (code) => {
    expect(plainText(problemText(PROBLEMS[code]))).toBe(EXPECTED[code]);
  });

  it('points every refusal at a command to run or a channel to join', () => {
    for (const p of allProblems()) {
      const text = problemText(p);
      // Commands and channels are spans, so each surface can make them typeable or clickable.
      const spans = text.filter((s) => typeof s !== 'string' && ('command' in s || 'channel' in s));
      // Three refusals have nothing to run or link, and say in words what to do instead: join a
      // channel that has no id yet, type a shorter text, or one that shows something.
      const inWords = /^Join the incident channel |Put the details in the incident channel instead\.$|Write it in words people can read\.$/.test(
        plainText(text),
      );
      expect({ code: p.code, next: spans.length > 0 || inWords }).toEqual({ code: p.code, next: true });
    }
  });

  it('ends every refusal as a full sentence', () => {
    for (const p of allProblems()) expect(plainText(problemText(p))).toMatch(/[.?]$/);
  });

  it('suggests several look-alike runbooks joined with "or"', () => {
    const text = plainText(problemText({ code: 'unknown_runbook', input: 'pdf', suggestions: ['pdf-404', 'pdf-500', 'pdf-503'], runbooks: ['pdf-404'] }));
    expect(text).toContain('Did you mean pdf-404, pdf-500 or pdf-503?');
    expect(text).toContain('Try pdf-404 <summary>.');
  });

  it('lists the runbooks and offers no guess when nothing looks alike', () => {
    const text = plainText(problemText({ code: 'unknown_runbook', input: 'zzz', suggestions: [], runbooks: ['queue-failure', 'pdf-404'] }));
    expect(text).toBe('Unknown runbook "zzz". Runbooks: queue-failure, pdf-404. Try queue-failure <summary>.');
  });

  it('asks for an @mention when the new commander was not one', () => {
    expect(plainText(problemText({ code: 'invalid_input', field: 'commander' }))).toBe(
      'Name the new commander with an @mention, picked from the suggestions: commander @jane.',
    );
  });

  it('says to join the incident channel when it has no channel id yet', () => {
    expect(plainText(problemText({ code: 'not_participant', incident: 'INC-42', action: 'acknowledge', channel: null }))).toBe(
      'Join the incident channel to acknowledge INC-42: only people in the incident channel can.',
    );
  });

  it('names the incident channel as a channel span, not as text', () => {
    expect(problemText(PROBLEMS.not_participant)).toContainEqual({ channel: 'C00000001' });
  });

  describe('not_allowed names who may act, joined with "or"', () => {
    const words = (can: Role[], action: IncidentAction = 'resolve') => plainText(problemText({ code: 'not_allowed', incident: 'INC-42', action, can }));

    it('with commander, declarer and admins', () => {
      expect(words([{ role: 'commander', user: 'U1' }, { role: 'declarer', user: 'U2' }, { role: 'admin' }])).toMatch(
        /^Only the commander \(@U1\), the declarer \(@U2\) or an incident admin can resolve INC-42\. /,
      );
    });

    it('with one person and admins', () => {
      expect(words([{ role: 'commander', user: 'U1' }, { role: 'admin' }])).toMatch(/^Only the commander \(@U1\) or an incident admin can resolve INC-42\. /);
      expect(words([{ role: 'declarer', user: 'U2' }, { role: 'admin' }])).toMatch(/^Only the declarer \(@U2\) or an incident admin can resolve INC-42\. /);
    });

    it('with admins only', () => {
      expect(words([{ role: 'admin' }])).toMatch(/^Only an incident admin can resolve INC-42\. /);
    });

    it('keeps the people as user spans for the surface to mention', () => {
      const text = problemText(PROBLEMS.not_allowed);
      expect(text).toContainEqual({ user: COMMANDER });
      expect(text).toContainEqual({ user: DECLARER });
    });

    it.each([
      ['acknowledge', 'acknowledge INC-42'],
      ['mitigate', 'mitigate INC-42'],
      ['resolve', 'resolve INC-42'],
      ['cancel', 'cancel INC-42'],
      ['set_severity', 'change the severity of INC-42'],
      ['set_commander', 'change the commander of INC-42'],
      ['tick_steps', 'tick steps on INC-42'],
    ] as Array<[IncidentAction, string]>)('words %s as "%s"', (action, phrase) => {
      expect(words([{ role: 'admin' }], action)).toContain(`can ${phrase}.`);
    });
  });

  it('words a refusal from the resolve decision the way the responder will read it', () => {
    let problem: Problem | undefined;
    try {
      decideResolve(makeSnapshot({ incident: { status: 'acknowledged' } }), { id: 'URESP0001', isAdmin: false, inChannel: true }, MITI_AT);
    } catch (err) {
      if (err instanceof UserError) problem = err.problem;
    }
    expect(plainText(problemText(problem!))).toBe(EXPECTED.not_allowed);
  });
});

describe('statusText', () => {
  const lastLine = (t: Text) => plainText(t).split('\n').pop();

  it('shows number, severity, status, runbook, title, commander, checklist progress and the next step', () => {
    expect(plainText(statusText(makeSnapshot({ done: ['look'] })))).toBe(
      'INC-42 · SEV2 · declared · runbook pdf-404\n' +
        'Invoices return 404 for some tenants\n' +
        'Commander: @UCMDR0001 · Checklist: 1 of 3 done · next: State the cause\n' +
        'Declared 2025-03-07 09:15 UTC',
    );
  });

  it('shows only the declaration while nothing else has happened', () => {
    const line = lastLine(statusText(makeSnapshot()));
    expect(line).toBe('Declared 2025-03-07 09:15 UTC');
  });

  it('shows each milestone reached, in order, and none that was not', () => {
    const s = makeSnapshot({ incident: { status: 'mitigated', acknowledgedAt: ACK_AT, mitigatedAt: MITI_AT } });
    expect(lastLine(statusText(s))).toBe('Declared 2025-03-07 09:15 UTC · acknowledged 2025-03-07 09:20 UTC · mitigated 2025-03-07 09:42 UTC');
  });

  it('shows diagnosed and resolved when reached', () => {
    const s = makeSnapshot({
      incident: { status: 'resolved', acknowledgedAt: ACK_AT, diagnosedAt: DIAG_AT, mitigatedAt: MITI_AT, resolvedAt: END_AT },
      done: ALL_STEPS,
    });
    expect(lastLine(statusText(s))).toBe(
      'Declared 2025-03-07 09:15 UTC · acknowledged 2025-03-07 09:20 UTC · diagnosed 2025-03-07 09:31 UTC · ' +
        'mitigated 2025-03-07 09:42 UTC · resolved 2025-03-07 10:30 UTC',
    );
    expect(plainText(statusText(s))).not.toContain('cancelled');
  });

  it('shows a cancellation', () => {
    const s = makeSnapshot({ incident: { status: 'cancelled', cancelledAt: END_AT } });
    expect(lastLine(statusText(s))).toBe('Declared 2025-03-07 09:15 UTC · cancelled 2025-03-07 10:30 UTC');
  });

  it('says nobody is commander, and names no next step once all are done', () => {
    const text = plainText(statusText(makeSnapshot({ incident: { commander: null }, done: ALL_STEPS })));
    expect(text).toContain('Commander: nobody · Checklist: 3 of 3 done\n');
    expect(text).not.toContain('next:');
  });
});

describe('listText', () => {
  const open = (n: number): Incident[] =>
    Array.from({ length: n }, (_, k) =>
      makeIncident({ id: `00000000-0000-4000-8000-${String(k + 1).padStart(12, '0')}`, number: k + 1, title: `Problem ${k + 1}`, channelId: `C${k + 1}` }),
    );
  const bullets = (t: Text) =>
    plainText(t)
      .split('\n')
      .filter((l) => l.startsWith('• '));

  it('says there are no open incidents and how to declare one', () => {
    expect(plainText(listText([]))).toBe('No open incidents. Declare one with <runbook> [summary].');
  });

  it('lists each open incident with severity, status, channel, title and when it was declared', () => {
    expect(plainText(listText(open(2)))).toBe(
      'Open incidents (2)\n' +
        '• INC-1 SEV2 · declared · #C1 · Problem 1 · declared 2025-03-07 09:15 UTC\n' +
        '• INC-2 SEV2 · declared · #C2 · Problem 2 · declared 2025-03-07 09:15 UTC',
    );
  });

  it('says when an incident channel is not open yet', () => {
    expect(plainText(listText([makeIncident({ channelId: null })]))).toContain('· channel not open yet ·');
  });

  it('shows all 20 when there are exactly 20, with no "more" line', () => {
    const text = listText(open(20));
    expect(bullets(text)).toHaveLength(20);
    expect(plainText(text)).not.toContain('more.');
  });

  it('caps the list at 20 and counts the rest, so the reply stays within size limits', () => {
    const text = listText(open(25));
    const plain = plainText(text);
    expect(plain.startsWith('Open incidents (25)\n')).toBe(true);
    expect(bullets(text)).toHaveLength(20);
    expect(plain).toContain('• INC-20 ');
    expect(plain).not.toContain('• INC-21 ');
    expect(plain.endsWith('\n…and 5 more.')).toBe(true);
  });

  it('honours a smaller cap', () => {
    expect(plainText(listText(open(3), 1))).toMatch(/\n…and 2 more\.$/);
  });
});

describe('helpText', () => {
  it('lists every shipped runbook by id with its aliases and title', () => {
    const catalog = shipped();
    const text = plainText(helpText(catalog));
    expect(catalog.all.length).toBeGreaterThan(0);
    for (const runbook of catalog.all) {
      const aliases = runbook.aliases.length > 0 ? ` (also ${runbook.aliases.join(', ')})` : '';
      expect(text).toContain(`\n• ${runbook.id}${aliases}: ${runbook.title}`);
    }
  });

  it('mentions no aliases for a runbook that has none', () => {
    const catalog = new RunbookCatalog([
      makeRunbook({ id: 'solo', title: 'Solo runbook', aliases: [] }),
      makeRunbook({ id: 'duo', title: 'Duo runbook', aliases: ['two'] }),
    ]);
    const text = plainText(helpText(catalog));
    expect(text).toContain('\n• solo: Solo runbook\n');
    expect(text).toContain('\n• duo (also two): Duo runbook\n');
  });

  it('explains every command people use inside an incident channel and anywhere', () => {
    const text = plainText(helpText(shipped()));
    for (const cmd of [
      'ack',
      'status',
      'mitigate',
      'sev <1-4>',
      'commander @user',
      'resolve [--validated] [summary]',
      'cancel [reason]',
      'escalate [reason]',
      'diagnosed [cause]',
    ]) {
      expect(text).toContain(`\n• ${cmd}: `);
    }
    expect(text).toContain('list shows open incidents, mttr [7d|30d|90d] the KPIs, search <words> finds past incidents, help shows this.');
  });

  it('writes runbook ids and aliases as code, so people can type them exactly', () => {
    const text = helpText(new RunbookCatalog([makeRunbook({ id: 'duo', title: 'Duo runbook', aliases: ['two'] })]));
    expect(text).toContainEqual({ code: 'duo' });
    expect(text).toContainEqual({ code: 'two' });
  });
});

describe('diagnosisOverdueText', () => {
  const RULE = 'If none fits after 15 minutes, write "Cause unknown" and escalate now.';
  const overdue = (o: Partial<DiagnosisOverdue> = {}): DiagnosisOverdue => ({
    incident: 'INC-7',
    within: '15m',
    rule: RULE,
    step: { number: 7, title: 'State the cause in the channel' },
    ...o,
  });

  it('names the incident and the limit, quotes the runbook and says which step records the cause', () => {
    expect(plainText(diagnosisOverdueText(overdue()))).toBe(
      `⏰ 15 minutes since INC-7 was declared and no cause is recorded yet. The runbook says: “${RULE}” ` +
        'Record the cause with step 7 (State the cause in the channel) when you have it.',
    );
  });

  it("gives the default rule, not as the runbook's words, when the runbook has none", () => {
    expect(plainText(diagnosisOverdueText(overdue({ rule: null })))).toBe(
      '⏰ 15 minutes since INC-7 was declared and no cause is recorded yet. The rule: “Write "Cause unknown" in the channel and escalate now.” ' +
        'Record the cause with step 7 (State the cause in the channel) when you have it.',
    );
  });

  it('asks for the cause in the channel when no step records it', () => {
    expect(plainText(diagnosisOverdueText(overdue({ step: null })))).toMatch(/” Post the cause in the channel when you have it\.$/);
  });

  it.each([
    ['1s', '1 second'],
    ['90s', '90 seconds'],
    ['1m', '1 minute'],
    ['30m', '30 minutes'],
    ['1h', '1 hour'],
    ['2h', '2 hours'],
  ])('words a limit of %s as "%s"', (within, words) => {
    expect(plainText(diagnosisOverdueText(overdue({ within })))).toMatch(new RegExp(`^⏰ ${words} since INC-7 `));
  });

  it("keeps the runbook's rule and step title as plain spans, for each surface to escape", () => {
    const text = diagnosisOverdueText(overdue({ rule: 'Ping <!channel> and escalate', step: { number: 2, title: 'Cause <@U1>' } }));
    expect(text).toContain('Ping <!channel> and escalate');
    expect(text).toContain('Cause <@U1>');
  });
});

describe('replies speak no platform markup', () => {
  it('never contains Slack mentions, channel links or special mentions', () => {
    const statuses: Array<Partial<Incident> & { status: Status }> = [
      { status: 'declared' },
      { status: 'acknowledged', acknowledgedAt: ACK_AT },
      { status: 'mitigated', acknowledgedAt: ACK_AT, diagnosedAt: DIAG_AT, mitigatedAt: MITI_AT },
      { status: 'resolved', acknowledgedAt: ACK_AT, resolvedAt: END_AT, resolution: 'Rolled back' },
      { status: 'cancelled', cancelledAt: END_AT, commander: null },
    ];
    const texts: Text[] = [
      ...allProblems().map(problemText),
      ...statuses.map((s) => statusText(makeSnapshot({ incident: s, done: ['look'] }))),
      listText([]),
      listText([makeIncident(), makeIncident({ number: 43, channelId: null, commander: null })]),
      helpText(shipped()),
      diagnosisOverdueText({ incident: 'INC-42', within: '15m', rule: null, step: { number: 2, title: 'State the cause' } }),
    ];
    const strings = texts.flatMap(allStrings);
    expect(strings.length).toBeGreaterThan(100);
    expect(strings.filter((t) => SLACK_MARKUP.test(t))).toEqual([]);
    // The plain rendering of mentions and channels is neutral too.
    expect(texts.map(plainText).filter((t) => SLACK_MARKUP.test(t))).toEqual([]);
  });
});

describe('answers to commands and clicks', () => {
  it('say what was done, or that it already was', () => {
    const said = (t: Text) => plainText(t);
    expect(said(acknowledgedText('INC-42', 'acknowledged', true))).toBe('You acknowledged INC-42.');
    expect(said(acknowledgedText('INC-42', 'mitigated', false))).toBe('INC-42 is already mitigated.');
    expect(said(mitigatedText('INC-42', false))).toBe('INC-42 is already mitigated.');
    expect(mitigatedText('INC-42', true)).toEqual(['INC-42 is marked mitigated. Resolve it with ', { command: 'resolve <summary>' }, ' once you are sure.']);
    expect(said(resolvedText('INC-42', true))).toBe('INC-42 resolved.');
    expect(said(resolvedText('INC-42', false))).toBe('INC-42 was already resolved.');
    expect(said(cancelledText('INC-42', true))).toBe('INC-42 cancelled; it is left out of MTTR.');
    expect(said(cancelledText('INC-42', false))).toBe('INC-42 was already cancelled.');
    expect(said(severityText('INC-42', 1, true))).toBe('INC-42 is now SEV1.');
    expect(said(severityText('INC-42', 1, false))).toBe('INC-42 is already SEV1.');
    expect(commanderText('INC-42', 'U1', true)).toEqual([{ user: 'U1' }, ' now leads INC-42.']);
    expect(commanderText('INC-42', 'U1', false)).toEqual([{ user: 'U1' }, ' already leads INC-42.']);
    expect(said(setupRetriedText('INC-42'))).toBe('Setting up INC-42 again: its channel and checklist follow here in a moment.');
    expect(said(causeRecordedText('INC-42', true))).toBe('Cause recorded for INC-42.');
    expect(said(causeRecordedText('INC-42', false))).toBe("INC-42's cause was already recorded.");
    expect(said(actionAlreadyAddedText('INC-42'))).toBe('That action item is already on INC-42.');
  });
});
