import { isOpen, label, type ActionItem, type PostmortemStatus, type Snapshot } from '../incident/model';
import type { TimelineEvent } from '../ports';
import { durationMs, type Runbook } from '../runbook/schema';
import { duration } from './digest-text';

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
    impactSection(ctx),
    keyTimesSection(ctx),
    resolutionSection(ctx),
    timelineSection(ctx),
    edgeCaseSection(ctx),
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
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

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
  /** Escaped display name of a person (or the bot). */
  who(id: unknown): string;
  step(stepId: unknown, fallbackTitle?: unknown): { number: number | null; title: string };
  probeTitle(probeId: unknown): string;
  items: ActionItem[];
}

function context(input: PostmortemInput): Context {
  const { snapshot, runbook, timeline } = input;
  const names = input.names;
  const steps = [...snapshot.steps].sort((a, b) => a.position - b.position);
  // Numbered as the checklist shows them; a step only the runbook knows (renamed since) keeps its title.
  const stepIndex = new Map<string, { number: number | null; title: string }>(steps.map((s, i) => [s.stepId, { number: i + 1, title: s.title }]));
  runbook.steps.forEach((s, i) => {
    if (!stepIndex.has(s.id)) stepIndex.set(s.id, { number: steps.length === 0 ? i + 1 : null, title: s.title });
  });
  const probes = new Map(runbook.probes.map((p) => [p.id, p.title]));
  return {
    snapshot,
    runbook,
    timeline,
    now: input.now ?? defaultNow(snapshot, timeline),
    who(id) {
      const raw = typeof id === 'string' ? id : String(id ?? '');
      if (raw === '') return 'unknown';
      if (raw === BOT) return BOT;
      let name: string | null = null;
      try {
        name = names?.(raw) ?? null;
      } catch {
        name = null;
      }
      return mdInline(name && name.trim() ? name : raw);
    },
    step(stepId, fallbackTitle) {
      const found = typeof stepId === 'string' ? stepIndex.get(stepId) : undefined;
      const title = found?.title ?? (typeof fallbackTitle === 'string' && fallbackTitle ? fallbackTitle : String(stepId ?? 'unknown step'));
      return { number: found?.number ?? null, title: mdInline(title) };
    },
    probeTitle(probeId) {
      const id = String(probeId ?? '');
      return mdInline(probes.get(id) ?? id);
    },
    items: snapshot.actionItems ?? itemsFromTimeline(timeline),
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

/** Where the snapshot was read without its action items, the timeline still tells them. */
function itemsFromTimeline(timeline: TimelineEvent[]): ActionItem[] {
  const items = new Map<number, ActionItem>();
  for (const e of timeline) {
    const n = num(e.data, 'number');
    if (n === null) continue;
    if (e.kind === 'action_item.added' && !items.has(n)) {
      items.set(n, {
        number: n,
        text: str(e.data, 'text') ?? '',
        owner: str(e.data, 'owner'),
        dueOn: str(e.data, 'due'),
        createdAt: e.at,
        createdBy: e.actor,
        closedAt: null,
        closedBy: null,
      });
    } else if (e.kind === 'action_item.closed') {
      const item = items.get(n);
      if (item && !item.closedAt) items.set(n, { ...item, closedAt: e.at, closedBy: e.actor });
    }
  }
  return [...items.values()].sort((a, b) => a.number - b.number);
}

function str(data: Record<string, unknown> | null | undefined, key: string): string | null {
  return asString(data?.[key]);
}

function num(data: Record<string, unknown> | null | undefined, key: string): number | null {
  return asNumber(data?.[key]);
}

function asString(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function asNumber(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

function strs(data: Record<string, unknown> | null | undefined, key: string): string[] {
  const v = data?.[key];
  return Array.isArray(v) ? v.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number').map(String) : [];
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
    ['Status', pm ? STATUS_WORDS[pm.status] ?? mdInline(pm.status) : 'not opened'],
    ['Owner', pm ? (pm.owner ? ctx.who(pm.owner) : 'not set') : '—'],
    ['Due', pm ? mdInline(pm.dueOn) || '—' : '—'],
    ['Severity', `SEV${incident.severity}`],
    ['Runbook', rb.title && rb.title !== rb.id ? `${mdInline(rb.title)} (${mdInline(rb.id)})` : mdInline(rb.id)],
    ['Commander', incident.commander ? ctx.who(incident.commander) : 'none'],
    ['Declared by', ctx.who(incident.declaredBy)],
  ];
  return [`# Post-mortem: ${label(incident)} · ${mdInline(incident.title)}`, '', table(['Field', 'Value'], rows)].join('\n');
}

function summarySection(ctx: Context): string {
  const { incident } = ctx.snapshot;
  return `## Summary\n\n${mdParagraphs(incident.summary?.trim() ? incident.summary : incident.title) || 'No summary.'}`;
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
  return `## Impact window\n\n${lines.join('\n\n')}`;
}

function keyTimesSection(ctx: Context): string {
  const i = ctx.snapshot.incident;
  const rows = [
    ['MTTA (declared → acknowledged)', spoken(between(i.declaredAt, i.acknowledgedAt))],
    ['Time to diagnose (declared → diagnosed)', spoken(between(i.declaredAt, i.diagnosedAt))],
    ['MTTR (declared → resolved)', spoken(between(i.declaredAt, i.resolvedAt))],
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
  return `## Resolution\n\n${body}`;
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
    const n = num(e.data, 'case');
    const c = n !== null && n >= 1 ? cases[n - 1] : undefined;
    const note = str(e.data, 'note');
    const head = `Edge case ${n ?? '?'}, hit ${time(e.at)} UTC by ${ctx.who(e.actor)}`;
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
  const today = valid(ctx.now) ? ctx.now.toISOString().slice(0, 10) : null;
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

const ACK_VIA: Record<string, string> = {
  step: 'by working the checklist',
  mitigate: 'by mitigating',
  resolve: 'by resolving',
  severity: 'by changing the severity',
  commander: 'by handing over command',
  escalate: 'by escalating',
};

/** One event as a person would say it. An event this does not know shows as its kind; it never throws. */
function eventWords(e: TimelineEvent, ctx: Context): string {
  try {
    return describe(e, ctx) ?? mdInline(e.kind);
  } catch {
    return mdInline(e.kind);
  }
}

function describe(e: TimelineEvent, ctx: Context): string | null {
  const d = e.data ?? {};
  const stepRef = () => {
    const s = ctx.step(d.step, d.title);
    return s.number === null ? s.title : `step ${s.number}: ${s.title}`;
  };
  const withText = (words: string, text: string | null) => (text ? `${words}: ${mdInline(text)}` : words);
  switch (e.kind) {
    case 'incident.declared': {
      const sev = num(d, 'severity');
      const runbook = str(d, 'runbook');
      const words = `Declared${sev !== null ? ` as SEV${sev}` : ''}${runbook ? ` with runbook ${mdInline(runbook)}` : ''}`;
      return withText(words, str(d, 'title'));
    }
    case 'incident.acknowledged': {
      const via = str(d, 'via');
      return via && ACK_VIA[via] ? `Acknowledged (${ACK_VIA[via]})` : 'Acknowledged';
    }
    case 'step.completed':
    case 'step.reopened': {
      const s = ctx.step(d.step, d.title);
      const verb = e.kind === 'step.completed' ? 'done' : 'reopened';
      return s.number === null ? `Step ${verb}: ${s.title}` : `Step ${s.number} ${verb}: ${s.title}`;
    }
    case 'probe.requested': {
      const titles = strs(d, 'probes').map((p) => ctx.probeTitle(p));
      const via = str(d, 'via');
      const lead = via === 'declare' ? 'Checks started with the declaration' : titles.length === 1 ? 'Check requested' : 'Checks requested';
      return titles.length > 0 ? `${lead}: ${titles.join(', ')}` : lead;
    }
    case 'probe.finished': {
      const status = str(d, 'status') ?? 'finished';
      const reason = str(d, 'reason');
      return `Check ${ctx.probeTitle(d.probe)}: ${mdInline(status)}${reason ? ` — ${mdInline(reason)}` : ''}`;
    }
    case 'escalation.fired': {
      const level = num(d, 'level');
      const reason = str(d, 'reason');
      const targets = strs(d, 'targets').map(mdInline);
      const note = str(d, 'note');
      return `Escalated to level ${level ?? '?'}${reason ? ` (${mdInline(reason)})` : ''}${targets.length ? `: ${targets.join(', ')}` : ''}${note ? ` — ${mdInline(note)}` : ''}`;
    }
    case 'diagnosis.overdue': {
      const within = str(d, 'within');
      return `Diagnosis overdue: no cause recorded within ${within ? withinWords(within) : 'the runbook’s time'}`;
    }
    case 'incident.diagnosed':
      if (d.step !== undefined && d.step !== null) return `Diagnosed (${stepRef()})`;
      return withText('Diagnosed', str(d, 'cause'));
    case 'incident.mitigated':
      if (d.step !== undefined && d.step !== null) return `Mitigated (${stepRef()})`;
      return 'Mitigated';
    case 'incident.resolved':
      return withText('Resolved', str(d, 'summary'));
    case 'incident.cancelled':
      return withText('Cancelled', str(d, 'reason'));
    case 'incident.severity_changed': {
      // Read as fields: a quoted key named like an import keyword trips the core boundary check.
      const from = asNumber(d.from);
      const to = asNumber(d.to);
      return from !== null ? `Severity changed from SEV${from} to SEV${to ?? '?'}` : `Severity set to SEV${to ?? '?'}`;
    }
    case 'incident.commander_changed': {
      const from = asString(d.from);
      const to = asString(d.to);
      return `Commander changed to ${to ? ctx.who(to) : 'nobody'}${from ? ` (was ${ctx.who(from)})` : ''}`;
    }
    case 'incident.channel_opened': {
      const name = str(d, 'name');
      const channel = str(d, 'channel');
      return name || channel ? `Incident channel opened: ${mdInline(name ? `#${name}` : channel)}` : 'Incident channel opened';
    }
    case 'incident.setup_retried':
      return 'Channel setup retried';
    case 'postmortem.opened': {
      const owner = str(d, 'owner');
      const due = str(d, 'due');
      return `Post-mortem opened (owner ${owner ? ctx.who(owner) : 'not set'}${due ? `, due ${mdInline(due)}` : ''})`;
    }
    case 'postmortem.moved': {
      const to = str(d, 'to');
      return `Post-mortem moved to ${to && to in STATUS_WORDS ? STATUS_WORDS[to as PostmortemStatus] : mdInline(to ?? '?')}`;
    }
    case 'action_item.added': {
      const n = num(d, 'number');
      const owner = str(d, 'owner');
      const due = str(d, 'due');
      const extra = [owner ? `owner ${ctx.who(owner)}` : null, due ? `due ${mdInline(due)}` : null].filter((x) => x !== null);
      return `${withText(`Action item ${n ?? '?'} added`, str(d, 'text'))}${extra.length ? ` (${extra.join(', ')})` : ''}`;
    }
    case 'action_item.closed': {
      const n = num(d, 'number');
      const item = ctx.items.find((a) => a.number === n);
      return withText(`Action item ${n ?? '?'} done`, item?.text ?? null);
    }
    case 'edge_case.hit': {
      const n = num(d, 'case');
      const c = n !== null && n >= 1 ? ctx.runbook.edge_cases[n - 1] : undefined;
      const note = str(d, 'note');
      const words = c ? `Edge case ${n} hit: ${mdInline(c.case)}` : `Edge case ${n ?? '?'} hit`;
      return `${words}${note ? ` — ${mdInline(note)}` : ''}`;
    }
    default:
      return null;
  }
}
