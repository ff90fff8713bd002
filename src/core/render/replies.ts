import type { IncidentAction, Problem, Role } from '../errors';
import { label, type Incident, type Note, type Snapshot } from '../model';
import { GENERAL_RUNBOOK_ID, type RunbookCatalog } from '../runbook/catalog';
import { DURATION, durationMs, type Runbook } from '../runbook/schema';
import type { Text } from '../text/text';
import { ANALYSIS_LABELS, ANALYSIS_PARTS } from './analysis';
import { IMPACT_START_MAX_DAYS } from '../incident/impact-start';
import { localDay } from '../incident/local-day';
import { duration } from './digest-text';

/**
 * Every sentence the bot says to a person, in one place and in no platform's markup. Each
 * refusal says what went wrong and what to do next; each surface formats the Text it gets.
 */
const ACTION_PHRASE: Record<IncidentAction, string> = {
  acknowledge: 'acknowledge',
  mitigate: 'mitigate',
  resolve: 'resolve',
  cancel: 'cancel',
  set_severity: 'change the severity of',
  set_commander: 'change the commander of',
  tick_steps: 'tick steps on',
  retry: 'retry the setup of',
  run_probes: 'run checks on',
  escalate: 'escalate',
  diagnose: 'record the cause of',
  add_action_item: 'add action items to',
  close_action_item: 'close this action item of',
  open_postmortem: 'open the post-mortem of',
  move_postmortem: 'move on the post-mortem of',
  record_edge_case: 'record an edge case on',
  set_class: 'change the class of',
  mark_duplicate: 'close as a duplicate',
  link: 'link other incidents to',
  switch_runbook: 'switch the runbook of',
  add_note: 'add notes to',
  edit_analysis: 'edit the post-mortem analysis of',
  set_impact_start: 'set when impact started for',
};

export function problemText(p: Problem): Text {
  switch (p.code) {
    case 'unknown_runbook': {
      const hint = p.suggestions.length > 0 ? ` Did you mean ${orList(p.suggestions)}?` : '';
      const example = p.suggestions[0] ?? p.runbooks.find((r) => r !== GENERAL_RUNBOOK_ID) ?? '<runbook>';
      const command = p.switching ? `runbook ${example} <why>` : `${example} <summary>`;
      const general: Text =
        !p.switching && p.runbooks.includes(GENERAL_RUNBOOK_ID)
          ? [' For anything none of them covers, ', { command: 'declare <summary>' }, ' uses the general runbook.']
          : [];
      return [`Unknown runbook "${p.input}".${hint} Runbooks: ${p.runbooks.join(', ')}. Try `, { command }, '.', ...general];
    }
    case 'same_runbook':
      return [
        `${p.incident} already follows the ${p.runbook} runbook. To switch, name another`,
        ...(p.others.length > 0 ? [` (${p.others.join(', ')})`] : []),
        ': ',
        { command: `runbook ${p.others[0] ?? '<runbook>'} <why>` },
        '.',
      ];
    case 'not_allowed':
      return [
        'Only ',
        ...orText(p.can.map(roleText)),
        ` can ${ACTION_PHRASE[p.action]} ${p.incident}. Ask one of them, or ask the commander to hand over with `,
        { command: 'commander @you' },
        '.',
      ];
    case 'not_participant':
      return [
        'Join ',
        p.channel ? { channel: p.channel } : 'the incident channel',
        ` to ${ACTION_PHRASE[p.action]} ${p.incident}: only people in the incident channel can.`,
      ];
    case 'ended':
      return [
        `${p.incident} is already ${p.status}, so you cannot ${ACTION_PHRASE[p.action]} it. If the problem is back, declare a new incident with `,
        { command: `${p.runbook} …` },
        '.',
      ];
    case 'invalid_input':
      if (p.field === 'action')
        return [
          'Try ',
          { command: 'action add <what to do> [@owner] [due YYYY-MM-DD]' },
          ', ',
          { command: 'action list' },
          ' or ',
          { command: 'action done <n>' },
          '.',
        ];
      if (p.field === 'due')
        return ['Write the due date as YYYY-MM-DD, today or later, e.g. ', { command: 'action add rotate the key @jane due 2026-12-24' }, '.'];
      if (p.field === 'edge_case')
        return [
          'Name the edge case by its number: ',
          { command: 'edge 2 [note]' },
          " for the runbook's, ",
          { command: 'edge <step>:1 [note]' },
          " for a step's own. ",
          { command: 'edge' },
          ' lists them.',
        ];
      if (p.field === 'class')
        return [
          'A class is one short word of lowercase letters, digits and dashes, at most 40 characters, e.g. ',
          { command: 'class auth' },
          ' or ',
          { command: 'class email-delivery' },
          '.',
        ];
      if (p.field === 'duplicate' || p.field === 'link')
        return ['Name the other incident and nothing else: ', { command: `${p.field} INC-<n>` }, ", run in this incident's channel."];
      if (p.field === 'runbook')
        return [
          'Name the runbook to switch to, and why: ',
          { command: 'runbook storage-permissions <why>' },
          '. ',
          { command: 'help' },
          ' lists the runbooks.',
        ];
      if (p.field === 'note') return ['Write what to add to the timeline after the word: ', { command: 'note the 500s started after the 14:02 deploy' }, '.'];
      if (p.field === 'analysis')
        return [
          'Name the part of the analysis, then write it: ',
          { command: 'analysis root_cause the storage keys rotated without re-rendering cached PDFs' },
          `. Parts: ${ANALYSIS_PARTS}; write n/a where one does not apply. `,
          { command: 'analysis' },
          ' shows what is missing.',
        ];
      if (p.field === 'impact_start')
        return [
          'Say when impact started as a time in your own zone, ',
          { command: 'started 02:40' },
          ' or ',
          { command: 'started 2026-12-05 02:40' },
          ', or with its offset: ',
          { command: 'started 2026-12-05T01:40Z' },
          '.',
        ];
      if (p.field === 'window') return ['Reports cover 7, 30 or 90 days. Try ', { command: 'mttr 30d' }, '.'];
      return p.field === 'severity'
        ? ['Severity is a number from 1 (worst) to 4. Try ', { command: 'sev 2' }, '.']
        : ['Name the new commander with an @mention, picked from the suggestions: ', { command: 'commander @jane' }, '.'];
    case 'too_long':
      return [`That ${p.field} is ${p.length} characters; keep it to ${p.max}. Put the details in the incident channel instead.`];
    case 'search_query':
      return p.reason === 'empty'
        ? [
            'Say what to look for: ',
            { command: 'search storage key rotated' },
            ' finds past incidents by their summary, cause, resolution, notes or post-mortem.',
          ]
        : [
            `That search is ${p.length} characters; keep it to ${p.max}. A few words of the cause or the symptom find more, e.g. `,
            { command: 'search key rotated' },
            '.',
          ];
    case 'invisible_text':
      return [`That ${p.field} shows nothing: it has only spaces or invisible characters. Write it in words people can read.`];
    case 'unknown_probe':
      return p.probes.length === 0
        ? [`${p.incident}'s runbook has no automated checks.`]
        : [
            `${p.incident}'s runbook has no check "${p.probe}". Its checks: ${p.probes.join(', ')}. Try `,
            { command: `probe ${p.probes[0]}` },
            ' or ',
            { command: 'probe all' },
            '.',
          ];
    case 'unknown_step':
      return [`${p.incident} has no step "${p.step}". Refresh with `, { command: 'status' }, '.'];
    case 'not_found':
      return ['That incident no longer exists. Run ', { command: 'list' }, ' to see the open ones.'];
    case 'unknown_incident':
      return [`There is no INC-${p.ref} in this workspace. Run `, { command: 'list' }, ' to see the open ones.'];
    case 'not_in_incident':
      return [
        { command: p.command },
        " works inside an incident channel, and this is not one. Open the incident's channel (see ",
        { command: 'list' },
        ') and run it there',
        ...(['status', 'resolve', 'cancel', 'retry'].includes(p.command) ? [', or name the incident: ', { command: `${p.command} INC-<n>` }] : []),
        '.',
      ];
    case 'unknown_action_item':
      return [
        `${p.incident} has no action item #${p.number}.`,
        p.open.length > 0 ? ` Open ones: ${p.open.map((n) => `#${n}`).join(', ')}. See ` : ' See ',
        { command: 'action list' },
        '.',
      ];
    case 'no_postmortem':
      return [`${p.incident} has no post-mortem yet. Open one with `, { command: 'postmortem' }, '.'];
    case 'postmortem_state':
      return [
        `${p.incident}'s post-mortem is ${STATUS_WORD[p.status] ?? p.status}, so it cannot go to ${STATUS_WORD[p.to] ?? p.to} from here. See where it stands with `,
        { command: 'postmortem' },
        '.',
      ];
    case 'invalid_category':
      return [
        `"${p.input}" is not a cause category. Write it as a short slug of lowercase letters, digits and single dashes, at most 64 characters, e.g. `,
        { command: 'analysis category storage-keys-rotated' },
        ', or n/a when no category fits.',
      ];
    case 'analysis_missing':
      return p.to === 'in_review'
        ? [
            `${p.incident}'s post-mortem cannot go to review without a root cause. Write it first (Edit analysis on the draft or the follow-up message, or `,
            { command: 'analysis root_cause <what caused it>' },
            '), or n/a if no cause was found.',
          ]
        : [
            `${p.incident}'s post-mortem cannot be published yet: ${p.fields.map((f) => ANALYSIS_LABELS[f]).join(', ')} ${p.fields.length === 1 ? 'is' : 'are'} still empty. Write each (Edit analysis on the draft or the follow-up message, or `,
            { command: 'analysis <part> <text>' },
            '), or n/a where it does not apply.',
          ];
    case 'analysis_locked':
      return [
        `${p.incident}'s post-mortem is ${STATUS_WORD[p.status] ?? p.status}, so its analysis stays as it was published. Add what you learned since with `,
        { command: 'note <text>' },
        ' or ',
        { command: 'action add <what to do>' },
        '.',
      ];
    case 'unknown_edge_case':
      if (p.case) return [`${p.incident}'s runbook has no edge case ${p.case}. See them all, with their numbers: `, { command: 'edge' }, '.'];
      return [
        `${p.incident}'s runbook has ${p.count} edge cases, numbered 1 to ${p.count}; there is no #${p.number}. See them all, with their numbers: `,
        { command: 'edge' },
        '.',
      ];
    case 'wrong_place':
      return [`This button belongs to ${p.incident}`, ...(p.channel ? [' in ', { channel: p.channel }] : []), '. Use it there, where the incident is worked.'];
    case 'stale_button':
      return ['This button is from an old message. Run ', { command: 'status' }, ' in the incident channel for the current checklist.'];
    case 'impact_start':
      return p.reason === 'after_declaration'
        ? [
            `Impact cannot start after ${p.incident} was declared: ${wallClock(p.at, p.tz, p.declaredAt)} ${p.tz} is ${relative(p.declaredAt, p.at)} the declaration at ${wallClock(p.declaredAt, p.tz, p.declaredAt)}. Nothing was changed. Give the time impact began, e.g. `,
            { command: 'started 02:40' },
            '.',
          ]
        : [
            `${wallClock(p.at, p.tz, p.declaredAt)} ${p.tz} is more than ${IMPACT_START_MAX_DAYS} days before ${p.incident} was declared. Nothing was changed. Check the date: `,
            { command: `started ${localDay(p.declaredAt, p.tz)} 02:40` },
            '.',
          ];
    case 'relation_to_itself':
      return p.relation === 'duplicate'
        ? [`${p.incident} cannot be a duplicate of itself. Run `, { command: 'duplicate INC-<n>' }, ' in the channel of the duplicate, naming the original.']
        : [`${p.incident} cannot be linked to itself. Name another incident: `, { command: 'link INC-<n>' }, '.'];
    case 'duplicate_of_duplicate':
      return [
        `${p.target} is itself a duplicate of ${p.original}. Mark ${p.incident} as a duplicate of the original instead: `,
        { command: `duplicate ${p.original}` },
        '.',
      ];
    case 'no_more_levels':
      return [
        `${p.incident} has already been escalated to all ${p.levels} levels of its runbook. Mention whoever else you need in `,
        p.channel ? { channel: p.channel } : 'the incident channel',
        '.',
      ];
    case 'not_validated':
      return [
        `${p.incident} is not resolved: confirm every quick validation check first. Not confirmed: `,
        p.unconfirmed.map((c) => `${c.number}. ${c.text}`).join('; '),
        '. Check them as a standard user, then tick them, or type ',
        { command: 'resolve --validated <summary>' },
        '. Only an incident admin can resolve without them, and that is recorded.',
      ];
  }
}

/**
 * `resolve` typed without `--validated`: the runbook's checks, and how to confirm them. Nothing
 * is resolved yet. `ref` names the incident when the command came from outside its room.
 */
export function validationAskText(incident: string, checks: ReadonlyArray<{ number: number; text: string }>, ref?: number): Text {
  const inc = ref === undefined ? '' : `INC-${ref} `;
  return [
    `Before resolving ${incident}, confirm its runbook's quick validation, as a standard user (never an admin), through the UI and /api/v1/me:`,
    ...checks.map((c) => `\n${c.number}. ${c.text}`),
    '\nWhen every check passes, resolve with ',
    { command: `resolve ${inc}--validated <summary>` },
    ', or tick them one by one with the Resolve button. Nothing was resolved yet.',
  ];
}

/** After a resolve: what was confirmed of the runbook's `total` checks, so the resolver sees what was kept. */
export function resolvedValidatedText(incident: string, i: Pick<Incident, 'validationConfirmed' | 'validatedChecks'>, total: number): Text {
  if (i.validationConfirmed === null || i.validationConfirmed === undefined) return resolvedText(incident, true);
  if (i.validationConfirmed) return [`${incident} resolved, with all ${total} quick validation checks confirmed.`];
  const confirmed = new Set(i.validatedChecks ?? []);
  const left = Array.from({ length: total }, (_, n) => n + 1).filter((n) => !confirmed.has(n));
  return [`${incident} resolved by an admin with ${left.length} of ${total} quick validation checks not confirmed (${left.join(', ')}); that is recorded.`];
}

/**
 * The message a fired level posts in the incident's room, before the platform names its targets:
 * "⬆️ Level 2 of 3 for INC-7: nobody acknowledged it within 15 min."
 */
export function escalationFiredText(e: {
  incident: string;
  level: number;
  levels: number;
  reason: 'timeout' | 'manual' | 'severity';
  after: string | null;
  by: string | null;
  note: string | null;
}): Text {
  const head = `⬆️ Escalated ${e.incident} to level ${e.level} of ${e.levels}`;
  if (e.reason === 'timeout' && e.after !== null && durationMs(e.after) === 0) return [`${head} as it was declared. Paging`];
  if (e.reason === 'timeout') return [`${head}: nobody acknowledged it${e.after ? ` within ${durationWords(e.after)}` : ''}. Paging`];
  if (e.reason === 'severity') return [`${head}: `, { user: e.by ?? '' }, ` raised its severity${e.note ? ` to ${e.note}` : ''}. Paging`];
  return [`${head}: `, { user: e.by ?? '' }, ' asked for help', ...(e.note ? [` (“${e.note}”)`] : []), '. Paging'];
}

/** Said in the incident's room when a webhook refused for good: the page did not go out that way. */
export function webhookFailedText(webhook: string, level: number | null, why: string): Text {
  const what = level === null ? 'about the end of this incident' : `for escalation level ${level}`;
  return [
    `⚠️ Could not call webhook "${webhook}" ${what}: ${why}. Page by hand if it mattered, and fix the webhook's settings (ESCALATION_WEBHOOK_* variables).`,
  ];
}

/** The answer to the person who escalated by hand. */
export function escalatedText(incident: string, level: number): Text {
  return [`${incident} escalated to level ${level}: its targets are paged in the incident channel.`];
}

/**
 * Said when something failed on our side; `ref` finds the log line. `notWritten`: the store is
 * sure nothing was recorded (the database was not reached, or refused), so the person must know
 * that their click or command did not count, not just that something went wrong.
 */
export function internalErrorText(ref: string, notWritten = false): Text {
  if (notWritten) return [{ strong: 'Not recorded' }, `: the database could not be reached, so nothing changed. Try again in a minute (ref ${ref}).`];
  return [`Something went wrong on our side (ref ${ref}). Try again in a minute, and if it keeps failing give ref ${ref} to whoever runs the bot.`];
}

/**
 * What a declare's ack says. A declare Slack recorded before its ack (accept-declare.ts) says the
 * same before the incident is made: its number is taken when it is recorded, and no channel yet.
 */
export function declaredText(i: Pick<Incident, 'number' | 'runbookId' | 'channelId'>, runbookTitle: string, created: boolean): Text {
  if (!created) {
    return [
      `${label(i)} was already declared by this request. `,
      ...(i.channelId ? ['Work it in ', { channel: i.channelId }, '.'] : ['Its channel link follows here.']),
    ];
  }
  return [`${label(i)} declared with runbook `, { code: i.runbookId }, ` (${runbookTitle}). Opening its channel; I will post the link here in a moment.`];
}

/** The database refused or was never reached: nothing was recorded, and the person must know. */
export function notRecordedText(runbook: Runbook): Text {
  return [
    { strong: 'The incident was NOT recorded' },
    ': the database did not take it. Declare again in a minute, or work the runbook by hand now:',
    ...runbookByHand(runbook),
  ];
}

/** No answer in time: it may or may not have landed. Say exactly that, and how to find out. */
export function unconfirmedText(runbook: Runbook): Text {
  return [
    { strong: 'I could not confirm the incident was recorded' },
    ': the database is slow to answer. If its channel link does not appear here within a minute and ',
    { command: 'list' },
    ' does not show it, declare again. Meanwhile work the runbook by hand:',
    ...runbookByHand(runbook),
  ];
}

function runbookByHand(runbook: Runbook): Text {
  const out: Text = [];
  runbook.steps.forEach((st, n) => out.push(`\n${n + 1}. ${st.title}`));
  if (runbook.links.length > 0) {
    out.push('\n');
    runbook.links.forEach((l, n) => out.push(n > 0 ? ' · ' : '', { link: l.url, title: l.title }));
  }
  return out;
}

export function probesQueuedText(incident: string, probe: string): Text {
  return [
    probe === 'all' ? `Running every check of ${incident}` : `Running ${probe} on ${incident}`,
    ': results appear on the pinned header and the checklist.',
  ];
}

/** What the diagnosis notice says: the facts a runbook and the stored incident give. */
export interface DiagnosisOverdue {
  incident: string;
  /** The runbook's `diagnose_within`, e.g. 15m. */
  within: string;
  /** The runbook's own words on what to do; null when it has none. */
  rule: string | null;
  /** The checklist step that records the cause, if the runbook has one. */
  step: { number: number; title: string } | null;
}

/** Said in the incident channel, once, when the diagnosis limit passed with no cause recorded. */
export function diagnosisOverdueText(o: DiagnosisOverdue): Text {
  const rule = o.rule ? ['The runbook says: “', o.rule, '”'] : ['The rule: “Write "Cause unknown" in the channel and escalate now.”'];
  const next = o.step
    ? [` Record the cause with step ${o.step.number} (`, o.step.title, ') when you have it.']
    : [' Post the cause in the channel when you have it.'];
  return [`⏰ ${durationWords(o.within)} since ${o.incident} was declared and no cause is recorded yet. `, ...rule, ...next];
}

/** 90s → "90 seconds", 15m → "15 minutes", 1h → "1 hour". */
function durationWords(duration: string): string {
  const m = DURATION.exec(duration);
  if (!m) return duration;
  const n = Number(m[1]);
  const unit = { s: 'second', m: 'minute', h: 'hour' }[m[2] as 's' | 'm' | 'h'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

export function statusText(s: Snapshot): Text {
  const i = s.incident;
  const done = s.steps.filter((x) => x.state === 'done').length;
  const next = s.steps.find((x) => x.state !== 'done');
  const milestones: Array<[string, Date | null]> = [
    ['Declared', i.declaredAt],
    ['acknowledged', i.acknowledgedAt],
    ['diagnosed', i.diagnosedAt],
    ['mitigated', i.mitigatedAt],
    ['resolved', i.resolvedAt],
    ['cancelled', i.cancelledAt],
  ];
  const when: Text = milestones.filter((m): m is [string, Date] => m[1] !== null).flatMap(([what, at], n) => [n > 0 ? ' · ' : '', `${what} `, { time: at }]);
  // Impact can start before anyone declared: an alert's start, or `/incident started`.
  const impact: Text = i.impactStartedAt ? ['Impact started ', { time: i.impactStartedAt }, ' · '] : [];
  return [
    { strong: label(i) },
    ` · SEV${i.severity} · ${i.status} · runbook `,
    { code: i.runbookId },
    `\n${i.title}\nCommander: `,
    i.commander ? { user: i.commander } : 'nobody',
    ` · Checklist: ${done} of ${s.steps.length} done${next ? ` · next: ${next.title}` : ''}\n`,
    ...impact,
    ...when,
    ...notesText(s.notes ?? []),
  ];
}

/** How many notes `status` shows, newest last; the rest are counted. */
const STATUS_NOTES = 3;
const STATUS_NOTE_MAX = 200;

/** At most `max` characters (code points, so no pair is split), with an ellipsis when cut. */
function clipped(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The latest notes, each on a line: who, when, what (clipped), and a pinned message's link. */
function notesText(notes: Note[]): Text {
  if (notes.length === 0) return [];
  const shown = notes.slice(-STATUS_NOTES);
  const out: Text = [`\nNotes (${notes.length}${notes.length > shown.length ? `, the last ${shown.length}` : ''}):`];
  for (const n of shown) {
    out.push('\n• ', { time: n.at }, ' ', { user: n.author ?? n.by }, `: ${clipped(n.text, STATUS_NOTE_MAX)}`);
    if (n.link) out.push(' (', { link: n.link, title: 'message' }, ')');
  }
  return out;
}

/** At most `max` incidents, most severe first, and a count of the rest: a reply has a size limit. */
export function listText(open: Incident[], max = 20): Text {
  if (open.length === 0) return ['No open incidents. Declare one with ', { command: '<runbook> [summary]' }, '.'];
  const shown = open.slice(0, max);
  const lines: Text = [{ strong: `Open incidents (${open.length})` }];
  for (const i of shown) {
    lines.push('\n• ', { strong: label(i) }, ` SEV${i.severity} · ${i.status} · `);
    lines.push(i.channelId ? { channel: i.channelId } : 'channel not open yet');
    lines.push(` · ${i.title} · declared `, { time: i.declaredAt });
  }
  if (open.length > shown.length) lines.push(`\n…and ${open.length - shown.length} more.`);
  return lines;
}

export function helpText(catalog: RunbookCatalog): Text {
  const out: Text = [{ strong: 'Declare an incident' }, ': ', { command: '<runbook> [summary]' }, ', e.g. ', { command: 'pdf-404 invoices return 404' }];
  if (catalog.hasGeneral()) out.push('. Anything else: ', { command: 'declare [summary]' }, ' (the general runbook)');
  for (const p of catalog.all) {
    out.push('\n• ', { code: p.id });
    if (p.aliases.length > 0)
      out.push(
        ' (also ',
        ...joinSpans(
          p.aliases.map((a) => ({ code: a })),
          ', ',
        ),
        ')',
      );
    out.push(`: ${p.title}`);
  }
  out.push('\n\n', { strong: 'Inside an incident channel' });
  const scoped: Array<[string, string]> = [
    ['ack', 'you are on it'],
    ['status', 'where things stand'],
    ['mitigate', 'impact has stopped'],
    ['sev <1-4>', 'change severity (commander, declarer or admin)'],
    ['commander @user', 'hand over (commander, declarer or admin)'],
    ['resolve [--validated] [summary]', 'close it once its quick validation is confirmed (commander, declarer or admin)'],
    ['cancel [reason]', 'declared by mistake; left out of MTTR'],
    ['retry', 'set up the channel and messages again (commander, declarer or admin)'],
    ['probe [check]', "run the runbook's automated checks again (all, or one)"],
    ['escalate [reason]', 'page the next level of the on-call ladder now'],
    ['diagnosed [cause]', 'the cause is found (records time to diagnose)'],
    ['note <text>', 'add evidence to the timeline (also: react with 📌 to a message in the channel)'],
    ['started <time>', 'when impact began, before the declaration: 02:40 in your time zone, or 2026-12-05T01:40Z'],
    ['edge [n] [note]', "the runbook's edge case n happened (for the post-mortem); without n, list the edge cases"],
    ['class <name>', 'what kind of incident it is, for the reports (commander, declarer or admin)'],
    ['duplicate INC-<n>', 'close this one as a duplicate of INC-<n> (commander, declarer or admin)'],
    ['link INC-<n>', 'record INC-<n> as related, on both incidents'],
    ['runbook <runbook> [why]', 'switch this incident to another runbook (commander, declarer or admin)'],
    ['action add <text> [@owner] [due YYYY-MM-DD]', 'follow-up work; also after the incident is resolved'],
    ['action list', 'the action items and who owns them'],
    ['action done <n>', 'close an item (its owner, the commander or an admin)'],
    ['postmortem', 'open the post-mortem (SEV1 and SEV2 get one when resolved)'],
    ['postmortem review', 'send the draft to review; then publish'],
    ['postmortem publish', 'publish it; it closes once every action item is done'],
    [
      'analysis [part text]',
      'write the post-mortem analysis (impact, root_cause, category, factors, went_well, went_badly, lessons; n/a where one does not apply)',
    ],
  ];
  for (const [cmd, what] of scoped) out.push('\n• ', { command: cmd }, `: ${what}`);
  out.push(
    '\n\n',
    { strong: 'Anywhere' },
    ': ',
    { command: 'list' },
    ' shows open incidents, ',
    { command: 'mttr [7d|30d|90d]' },
    ' the KPIs, ',
    { command: 'search <words>' },
    ' finds past incidents, ',
    { command: 'help' },
    ' shows this. ',
  );
  out.push(
    { command: 'status' },
    ', ',
    { command: 'resolve' },
    ', ',
    { command: 'cancel' },
    ' and ',
    { command: 'retry' },
    ' also work from any channel with the incident named: ',
  );
  out.push({ command: 'retry INC-7' }, '.');
  return out;
}

const STATUS_WORD: Record<string, string> = { draft: 'a draft', in_review: 'in review', published: 'published', closed: 'closed' };

function roleText(r: Role): Text {
  if (r.role === 'admin') return ['an incident admin'];
  return [`the ${r.role} (`, { user: r.user }, ')'];
}

/** "a", "a or b", "a, b or c". */
function orText(parts: Text[]): Text {
  return parts.flatMap((p, i) => (i === 0 ? p : [i === parts.length - 1 ? ' or ' : ', ', ...p]));
}

function orList(words: string[]): string {
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}` : (words[0] ?? '');
}

function joinSpans<T>(spans: T[], sep: string): Array<T | string> {
  return spans.flatMap((s, i) => (i === 0 ? [s] : [sep, s]));
}

// Answers to commands and clicks on an incident. `changed` is false when the request was already
// done (by someone else, or by a double click): the answer says so instead of claiming it.

export function acknowledgedText(incident: string, status: string, changed: boolean): Text {
  return changed ? [`You acknowledged ${incident}.`] : [`${incident} is already ${status}.`];
}

export function mitigatedText(incident: string, changed: boolean): Text {
  return changed
    ? [`${incident} is marked mitigated. Resolve it with `, { command: 'resolve <summary>' }, ' once you are sure.']
    : [`${incident} is already mitigated.`];
}

export function resolvedText(incident: string, changed: boolean): Text {
  return [changed ? `${incident} resolved.` : `${incident} was already resolved.`];
}

export function cancelledText(incident: string, changed: boolean): Text {
  return [changed ? `${incident} cancelled; it is left out of MTTR.` : `${incident} was already cancelled.`];
}

export function runbookSwitchedText(incident: string, runbookTitle: string, changed: boolean): Text {
  return [
    changed
      ? `${incident} now follows ${runbookTitle}: its checklist is posted below; the old one stays, read-only.`
      : `${incident} already follows ${runbookTitle}.`,
  ];
}

export function severityText(incident: string, severity: number, changed: boolean): Text {
  return [changed ? `${incident} is now SEV${severity}.` : `${incident} is already SEV${severity}.`];
}

export function commanderText(incident: string, userId: string, changed: boolean): Text {
  return [{ user: userId }, changed ? ` now leads ${incident}.` : ` already leads ${incident}.`];
}

export function setupRetriedText(incident: string): Text {
  return [`Setting up ${incident} again: its channel and checklist follow here in a moment.`];
}

/** "Impact started 02:40 Europe/Berlin (14 min before the declaration)", in the zone it was read in, named. */
export function impactStartText(incident: Incident, tz: string, changed: boolean): Text {
  const at = incident.impactStartedAt;
  if (!at) return [`${label(incident)} has no impact start.`];
  const when = `${wallClock(at, tz, incident.declaredAt)} ${tz} (${relative(incident.declaredAt, at)} the declaration)`;
  return changed ? [`Impact started ${when}: recorded for ${label(incident)}.`] : [`${label(incident)}'s impact start was already ${when}.`];
}

/** "02:40", or "4 Dec 23:50" when its day in `tz` is not the day of `ref` there. */
export function wallClock(at: Date, tz: string, ref: Date): string {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  if (localDay(at, tz) === localDay(ref, tz)) return time;
  return `${new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: 'numeric', month: 'short', year: 'numeric' }).format(at)} ${time}`;
}

/** "14 min before", "at the same minute as", "5 min after": how `at` stands to `ref`. */
function relative(ref: Date, at: Date): string {
  const seconds = (ref.getTime() - at.getTime()) / 1000;
  if (Math.abs(seconds) < 30) return 'at the time of';
  return `${duration(Math.abs(seconds))} ${seconds > 0 ? 'before' : 'after'}`;
}

/** A note asked for twice (a replayed command) is there once; the answer says so. */
export function noteAddedText(incident: string, changed: boolean): Text {
  return changed ? [`Added to ${incident}'s timeline.`] : [`That note is already on ${incident}'s timeline.`];
}

export function causeRecordedText(incident: string, changed: boolean): Text {
  return changed ? [`Cause recorded for ${incident}.`] : [`${incident}'s cause was already recorded.`];
}

export function actionAlreadyAddedText(incident: string): Text {
  return [`That action item is already on ${incident}.`];
}
