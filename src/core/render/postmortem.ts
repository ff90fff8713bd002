import { isOpen, label, type ActionItem, type AnalysisField, type PostmortemStatus, type Snapshot } from '../model';
import { isNotApplicable } from '../incident/analysis';
import type { TimelineEvent } from '../ports';
import { durationMs, validationChecks, type Runbook } from '../runbook/schema';
import { incidentValidationLine } from './validation';
import { edgeCaseId, edgeCaseOf, edgeCaseRefOf } from '../runbook/edge-cases';
import { duration } from './digest-text';
import type { Text } from '../text/text';
import { actionItemsFromTimeline, str, timelineContext, timelineText, type TimelineContext } from './timeline';
import { localDay } from '../incident/local-day';

/**
 * The post-mortem of an incident as a Markdown document, written from stored state only: the
 * incident, its checklist, its post-mortem and action items, and its timeline. Nothing here is
 * stored; a later export shows what happened since.
 *
 * Every piece of text a person or a runbook supplied is escaped, so a title with `|`, a summary
 * starting with `#` or a note with `<script>` renders as the characters typed and never as
 * structure (a new table cell, a heading, a link, HTML).
 */
export interface PostmortemInput {
  snapshot: Snapshot;
  runbook: Runbook;
  /** The incident's stored events, oldest first, as IncidentStore#timeline returns them. */
  timeline: TimelineEvent[];
  /** A person's display name; null (or no function) shows the raw id. */
  names?: (userId: string) => string | null;
  /** What "overdue" and "still open" are measured against; by default the latest time on the timeline. */
  now?: Date;
  /** The team's time zone (TEAM_TZ), whose calendar day "overdue" is counted in; UTC if not given. */
  tz?: string;
}

/** The actor the bot records its own events under. */
const BOT = 'incident-bot';

const STATUS_WORDS: Record<PostmortemStatus, string> = {
  draft: 'Draft',
  in_review: 'In review',
  published: 'Published',
  closed: 'Closed',
};

const NOT_RECORDED = 'not recorded';

/** `INC-42-postmortem.md`: where an export of the incident's post-mortem is saved. */
export function postmortemFileName(snapshot: Pick<Snapshot, 'incident'>): string {
  return `${label(snapshot.incident)}-postmortem.md`;
}

export function postmortemMarkdown(input: PostmortemInput): string {
  const ctx = context(input);
  const sections = [
    header(ctx),
    summarySection(ctx),
    analysisSection(ctx, 'impactSummary', 'Impact'),
    impactSection(ctx),
    keyTimesSection(ctx),
    rootCauseSection(ctx),
    analysisSection(ctx, 'contributingFactors', 'Contributing factors'),
    resolutionSection(ctx),
    timelineSection(ctx),
    edgeCaseSection(ctx),
    analysisSection(ctx, 'wentWell', 'What went well'),
    analysisSection(ctx, 'wentBadly', 'What went badly'),
    analysisSection(ctx, 'lessons', 'Lessons'),
    actionItemSection(ctx),
  ];
  return `${sections.join('\n\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Escaping

/** Characters that start inline Markdown (emphasis, code, links, HTML, table cells, strikethrough, headings). */
const INLINE_SPECIALS = /[\\`*_[\]<>|~#]/g;
/** An entity reference (`&lt;`, `&#124;`) would render as the character it names, not as typed. */
const ENTITY = /&(?=#?[a-z0-9]+;)/gi;
/** Controls other than tab and newline have no business in a document. */
const CONTROLS = /(?![\t\n])\p{Cc}/gu;

/** One line of literal text, safe anywhere inline: table cells, list items, headings. */
function mdInline(value: unknown): string {
  const s = String(value ?? '')
    .replace(/\r\n?|\n|\t/g, ' ')
    .replace(CONTROLS, '')
    .replace(/\s+/g, ' ')
    .trim();
  return blockSafe(escapeSpecials(s));
}

/** Literal text that may span lines, as paragraphs: every line escaped, blank runs collapsed to one. */
function mdParagraphs(value: string): string {
  const lines = value
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => mdInline(l));
  const out: string[] = [];
  for (const l of lines) {
    if (l === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(l);
  }
  while (out.at(-1) === '') out.pop();
  return out.join('\n');
}

function escapeSpecials(s: string): string {
  return s.replace(INLINE_SPECIALS, (c) => `\\${c}`).replace(ENTITY, '\\&');
}

/**
 * Text that starts a line (a paragraph line, a list item) must not start a block: a list
 * (`- `, `+ `, `1. `), a setext underline (`===`, `---`) or a thematic break.
 */
function blockSafe(s: string): string {
  return s.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/** A table row; each cell is already escaped. */
function row(cells: string[]): string {
  return `| ${cells.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`;
}

function table(header: string[], rows: string[][]): string {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Context: what every section looks things up in

interface Context {
  snapshot: Snapshot;
  runbook: Runbook;
  timeline: TimelineEvent[];
  now: Date;
  tz: string;
  /** Display name of a person (or the bot), as typed: escape it before use. */
  name(id: unknown): string;
  /** Escaped display name of a person (or the bot). */
  who(id: unknown): string;
  /** What the timeline's wording looks steps, probes, edge cases and items up in. */
  wording: TimelineContext;
  items: ActionItem[];
}

function context(input: PostmortemInput): Context {
  const { snapshot, runbook, timeline } = input;
  const names = input.names;
  const name = (id: unknown): string => {
    const raw = typeof id === 'string' ? id : String(id ?? '');
    if (raw === '') return 'unknown';
    if (raw === BOT) return BOT;
    let found: string | null;
    try {
      found = names?.(raw) ?? null;
    } catch {
      found = null;
    }
    return (found && found.trim() ? found : raw).trim();
  };
  return {
    snapshot,
    runbook,
    timeline,
    now: input.now ?? defaultNow(snapshot, timeline),
    tz: input.tz ?? 'UTC',
    name,
    who: (id) => mdInline(name(id)),
    // Numbered as the checklist shows them; a step only the runbook knows (renamed since) keeps its title.
    wording: timelineContext(snapshot, runbook, timeline),
    items: snapshot.actionItems ?? actionItemsFromTimeline(timeline),
  };
}

/** The latest time the timeline knows of; without events, the latest milestone of the incident. */
function defaultNow(s: Snapshot, timeline: TimelineEvent[]): Date {
  const times = timeline.map((e) => e.at).filter(valid);
  if (times.length === 0) {
    const i = s.incident;
    times.push(...[i.declaredAt, i.acknowledgedAt, i.diagnosedAt, i.mitigatedAt, i.resolvedAt, i.cancelledAt].filter(valid));
  }
  return new Date(times.reduce((latest, t) => Math.max(latest, t.getTime()), 0));
}

function valid(d: Date | null | undefined): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

// ---------------------------------------------------------------------------------------------
// Times

/** `2025-03-07 09:15`, in UTC. */
function time(d: Date | null | undefined): string {
  return valid(d) ? d.toISOString().slice(0, 16).replace('T', ' ') : 'unknown time';
}

function between(from: Date | null, to: Date | null): number | null {
  return valid(from) && valid(to) ? Math.max(0, to.getTime() - from.getTime()) / 1000 : null;
}

function spoken(seconds: number | null): string {
  return seconds === null ? NOT_RECORDED : duration(seconds);
}

/** A runbook duration (`15m`) in words (`15 min`); as written if it is not one. */
function withinWords(text: string): string {
  try {
    return duration(durationMs(text) / 1000);
  } catch {
    return mdInline(text);
  }
}

// ---------------------------------------------------------------------------------------------
// Sections

function header(ctx: Context): string {
  const { incident } = ctx.snapshot;
  const pm = ctx.snapshot.postmortem ?? null;
  const rb = ctx.runbook;
  const rows: string[][] = [
    ['Status', pm ? (STATUS_WORDS[pm.status] ?? mdInline(pm.status)) : 'not opened'],
    ['Owner', pm ? (pm.owner ? ctx.who(pm.owner) : 'not set') : '—'],
    ['Due', pm ? mdInline(pm.dueOn) || '—' : '—'],
    ['Severity', `SEV${incident.severity}`],
    ['Runbook', rb.title && rb.title !== rb.id ? `${mdInline(rb.title)} (${mdInline(rb.id)})` : mdInline(rb.id)],
    ['Commander', incident.commander ? ctx.who(incident.commander) : 'none'],
    ['Declared by', ctx.who(incident.declaredBy)],
    ['Class', mdInline(incident.class)],
    ...relationRows(ctx.snapshot),
  ];
  return [`# Post-mortem: ${label(incident)} · ${mdInline(incident.title)}`, '', table(['Field', 'Value'], rows)].join('\n');
}

/** The incidents it is tied to, a row each kind, only those it has. */
function relationRows(s: Snapshot): string[][] {
  const r = s.relations;
  if (!r) return [];
  const names = (ns: number[]) => ns.map((n) => `INC-${n}`).join(', ');
  const rows: string[][] = [];
  if (r.duplicateOf !== null) rows.push(['Duplicate of', `INC-${r.duplicateOf}`]);
  if (r.duplicates.length > 0) rows.push(['Duplicates', names(r.duplicates)]);
  if (r.related.length > 0) rows.push(['Related', names(r.related)]);
  return rows;
}

function summarySection(ctx: Context): string {
  const { incident } = ctx.snapshot;
  return `## Summary\n\n${mdParagraphs(incident.summary?.trim() ? incident.summary : incident.title) || 'No summary.'}`;
}

/** What a part of the analysis says, escaped as paragraphs; a part nobody wrote says so. */
function analysisText(ctx: Context, field: AnalysisField): string {
  const value = ctx.snapshot.postmortem?.analysis?.[field];
  if (!value?.trim()) return 'Not written yet.';
  if (isNotApplicable(value)) return 'Not applicable.';
  // A line break typed inside a part is kept (a hard break), so a typed list of factors stays one per line.
  return mdParagraphs(value).replace(/([^\n])\n(?!\n)/g, '$1\\\n');
}

function analysisSection(ctx: Context, field: AnalysisField, heading: string): string {
  return `## ${heading}\n\n${analysisText(ctx, field)}`;
}

/** The root cause, then the category recurrence is counted by. */
function rootCauseSection(ctx: Context): string {
  const category = ctx.snapshot.postmortem?.analysis?.causeCategory;
  const line = `Cause category: ${isNotApplicable(category) ? 'n/a (no category fits; not counted in recurrence by cause)' : category ? mdInline(category) : 'none'}`;
  return `## Root cause\n\n${analysisText(ctx, 'rootCause')}\n\n${line}`;
}

function impactSection(ctx: Context): string {
  const i = ctx.snapshot.incident;
  const lines: string[] = [];
  const start = `${time(i.declaredAt)} UTC (declared)`;
  if (i.resolvedAt) {
    lines.push(`From ${start} to ${time(i.resolvedAt)} UTC (resolved): ${spoken(between(i.declaredAt, i.resolvedAt))}.`);
  } else if (i.cancelledAt) {
    lines.push(`From ${start} to ${time(i.cancelledAt)} UTC (cancelled): ${spoken(between(i.declaredAt, i.cancelledAt))}.`);
  } else {
    lines.push(`From ${start}, still open: ${spoken(between(i.declaredAt, ctx.now))} so far, as of ${time(ctx.now)} UTC.`);
  }
  if (i.mitigatedAt) lines.push(`Mitigated at ${time(i.mitigatedAt)} UTC, ${spoken(between(i.declaredAt, i.mitigatedAt))} after the declaration.`);
  // Impact began before anyone declared (an alert's start, /incident started): said first.
  if (i.impactStartedAt)
    lines.unshift(`Impact started at ${time(i.impactStartedAt)} UTC, ${spoken(between(i.impactStartedAt, i.declaredAt))} before the declaration.`);
  return `## Impact window\n\n${lines.join('\n\n')}`;
}

function keyTimesSection(ctx: Context): string {
  const i = ctx.snapshot.incident;
  const rows = [
    ['MTTA (declared → acknowledged)', spoken(between(i.declaredAt, i.acknowledgedAt))],
    ['Time to diagnose (declared → diagnosed)', spoken(between(i.declaredAt, i.diagnosedAt))],
    ['MTTR (declared → resolved)', spoken(between(i.declaredAt, i.resolvedAt))],
    ...(i.impactStartedAt
      ? [
          ['Time to detect (impact start → declared)', spoken(between(i.impactStartedAt, i.declaredAt))],
          ['MTTR from impact start (impact start → resolved)', spoken(between(i.impactStartedAt, i.resolvedAt))],
        ]
      : []),
  ];
  return `## Key times\n\n${table(['Measure', 'This incident'], rows)}\n\n${diagnosisTarget(ctx)}`;
}

/** Whether the cause was named within the runbook's `diagnose_within` (15 minutes unless it says otherwise). */
function diagnosisTarget(ctx: Context): string {
  const i = ctx.snapshot.incident;
  const within = ctx.runbook.diagnose_within || '15m';
  let limitMs: number;
  try {
    limitMs = durationMs(within);
  } catch {
    limitMs = 15 * 60_000;
  }
  const target = `the runbook's target is ${withinWords(within)}`;
  const took = between(i.declaredAt, i.diagnosedAt);
  if (took !== null) {
    return took * 1000 <= limitMs
      ? `Diagnosis target met: the cause was recorded ${duration(took)} after the declaration; ${target}.`
      : `Diagnosis target missed: the cause was recorded ${duration(took)} after the declaration; ${target}.`;
  }
  if (isOpen(i)) {
    const sofar = between(i.declaredAt, ctx.now);
    return sofar !== null && sofar * 1000 > limitMs
      ? `Diagnosis target missed: no cause recorded yet, ${duration(sofar)} after the declaration; ${target}.`
      : `Diagnosis target: no cause recorded yet; ${target}.`;
  }
  return `Diagnosis target not met: no cause was recorded before the incident ended; ${target}.`;
}

function resolutionSection(ctx: Context): string {
  const i = ctx.snapshot.incident;
  let body: string;
  if (i.resolution?.trim()) body = mdParagraphs(i.resolution);
  else if (i.status === 'resolved') body = 'No summary was given at resolve.';
  else if (i.status === 'cancelled') {
    const reason = [...ctx.timeline].reverse().find((e) => e.kind === 'incident.cancelled');
    const text = reason ? str(reason.data, 'reason') : null;
    body = text ? `The incident was cancelled, not resolved. Reason given: ${mdInline(text)}` : 'The incident was cancelled, not resolved.';
  } else body = 'Not resolved yet.';
  const validation = validationSection(ctx);
  return `## Resolution\n\n${body}${validation ? `\n\n${validation}` : ''}`;
}

/** Whether the quick validation was confirmed at resolve, and which checks; nothing when none was asked. */
function validationSection(ctx: Context): string | null {
  const i = ctx.snapshot.incident;
  const line = incidentValidationLine(i, ctx.runbook);
  if (!line) return null;
  const confirmed = new Set(i.validatedChecks ?? []);
  const checks = validationChecks(ctx.runbook).map((c) => `- [${confirmed.has(c.number) ? 'x' : ' '}] ${c.number}. ${mdInline(c.text)}`);
  return [`**Quick validation.** ${line}`, ...(checks.length > 0 ? ['', ...checks] : [])].join('\n');
}

function timelineSection(ctx: Context): string {
  if (ctx.timeline.length === 0) return '## Timeline\n\nNo events were recorded.';
  const rows = ctx.timeline.map((e) => [time(e.at), ctx.who(e.actor), eventWords(e, ctx)]);
  return `## Timeline\n\n${table(['Time (UTC)', 'Who', 'What'], rows)}`;
}

function edgeCaseSection(ctx: Context): string {
  const cases = ctx.runbook.edge_cases;
  const hits = ctx.timeline.filter((e) => e.kind === 'edge_case.hit');
  const out = ['## Edge cases hit', ''];
  if (hits.length === 0) {
    out.push('None recorded.');
    out.push('', 'Edge cases in the runbook, for review:', '');
    if (cases.length === 0) out.push('- The runbook lists none.');
    for (const c of cases) out.push(`- ${mdInline(c.case)} — fallback: ${mdInline(c.fallback)}`);
    return out.join('\n');
  }
  for (const e of hits) {
    const ref = edgeCaseRefOf(e.data);
    const c = ref ? edgeCaseOf(ctx.runbook, ref) : null;
    const note = str(e.data, 'note');
    const head = `Edge case ${ref ? edgeCaseId(ref) : '?'}, hit ${time(e.at)} UTC by ${ctx.who(e.actor)}`;
    if (c) {
      out.push(`- ${head}: ${mdInline(c.case)}`, `  - Fallback: ${mdInline(c.fallback)}`);
    } else {
      out.push(`- ${head}: not in the runbook as loaded now.`);
    }
    if (note) out.push(`  - Note: ${mdInline(note)}`);
  }
  return out.join('\n');
}

function actionItemSection(ctx: Context): string {
  if (ctx.items.length === 0) return '## Action items\n\nNone yet.';
  const today = valid(ctx.now) ? localDay(ctx.now, ctx.tz) : null;
  const rows = ctx.items.map((a) => {
    let status: string;
    if (a.closedAt) status = `Done ${valid(a.closedAt) ? a.closedAt.toISOString().slice(0, 10) : ''} by ${ctx.who(a.closedBy)}`;
    // Overdue from the day after the due day.
    else if (a.dueOn && today && /^\d{4}-\d{2}-\d{2}$/.test(a.dueOn) && a.dueOn < today) status = 'Overdue';
    else status = 'Open';
    return [String(a.number), mdInline(a.text), a.owner ? ctx.who(a.owner) : '—', a.dueOn ? mdInline(a.dueOn) : '—', status];
  });
  return `## Action items\n\n${table(['#', 'Item', 'Owner', 'Due', 'Status'], rows)}`;
}

// ---------------------------------------------------------------------------------------------
// Timeline wording

/**
 * One event as a person would say it, in the words the console uses too (timelineText), as one
 * escaped line: people by their display names. An event it does not know shows as its kind.
 */
function eventWords(e: TimelineEvent, ctx: Context): string {
  return mdInline(plainWords(timelineText(e, ctx.wording), ctx));
}

/** Neutral text as the characters a reader sees, before escaping. */
function plainWords(text: Text, ctx: Context): string {
  return text
    .map((s) => {
      if (typeof s === 'string') return s;
      if ('user' in s) return ctx.name(s.user);
      if ('channel' in s) return `#${s.channel}`;
      if ('time' in s) return `${time(s.time)} UTC`;
      if ('command' in s) return s.command;
      if ('code' in s) return s.code;
      if ('strong' in s) return s.strong;
      return s.title;
    })
    .join('');
}
