import { ANALYSIS_FIELDS } from '../model';
import { ANALYSIS_WORDS } from '../incident/analysis';
import { ANALYSIS_LABELS } from './analysis';
import type { ActionItem, PostmortemStatus, Snapshot } from '../model';
import type { TimelineEvent } from '../ports';
import { durationMs, type Runbook } from '../runbook/schema';
import { edgeCaseOf } from '../runbook/edge-cases';
import { duration } from './digest-text';
import type { Text } from '../text/text';
import { validationWords } from './validation';

/**
 * One stored timeline event as a person would say it ("Step 3 done: Look at the logs"), as neutral
 * Text: the people it names are {user} spans, everything else is plain text each surface escapes
 * its own way. The post-mortem export and the console both word events with this, so they agree.
 */
export interface TimelineContext {
  /**
   * A step as the checklist numbers it now; `number` is null for a step the checklist no longer
   * has. Null when the step is unknown altogether: the title the event recorded is used then.
   */
  stepTitle(stepId: string): { number: number | null; title: string } | null;
  /** A probe's title; its id when the runbook has no such probe. */
  probeTitle(probeId: string): string;
  /** Edge case `n` (1-based) of the runbook, or of step `step`'s own list; null when unknown. */
  edgeCase(n: number, step?: string | null): string | null;
  /** The text of action item `n`, for "Action item 2 done: …"; null (or absent) when unknown. */
  actionItemText?(n: number): string | null;
}

const STATUS_WORDS: Record<PostmortemStatus, string> = {
  draft: 'Draft',
  in_review: 'In review',
  published: 'Published',
  closed: 'Closed',
};

const ACK_VIA: Record<string, string> = {
  pagerduty: 'in PagerDuty',
  step: 'by working the checklist',
  mitigate: 'by mitigating',
  resolve: 'by resolving',
  severity: 'by changing the severity',
  commander: 'by handing over command',
  escalate: 'by escalating',
};

/** One event in words. An event it does not know, or odd data, shows as the event's kind; it never throws. */
export function timelineText(e: TimelineEvent, ctx: TimelineContext): Text {
  const kind = typeof e?.kind === 'string' ? e.kind : String(e?.kind ?? '');
  try {
    return describe(e, ctx) ?? [kind];
  } catch {
    return [kind];
  }
}

/**
 * The context for an incident: steps numbered as its checklist shows them (a step only the runbook
 * knows keeps its title), probe titles and edge cases from the runbook, and action items from the
 * snapshot, or where it was read without them from the timeline's own records.
 */
export function timelineContext(snapshot: Snapshot, runbook: Runbook, timeline: TimelineEvent[] = []): TimelineContext {
  const steps = [...snapshot.steps].sort((a, b) => a.position - b.position);
  const index = new Map<string, { number: number | null; title: string }>(steps.map((s, i) => [s.stepId, { number: i + 1, title: s.title }]));
  runbook.steps.forEach((s, i) => {
    if (!index.has(s.id)) index.set(s.id, { number: steps.length === 0 ? i + 1 : null, title: s.title });
  });
  const probes = new Map(runbook.probes.map((p) => [p.id, p.title]));
  const items = snapshot.actionItems ?? actionItemsFromTimeline(timeline);
  return {
    stepTitle: (id) => index.get(id) ?? null,
    probeTitle: (id) => probes.get(id) ?? id,
    edgeCase: (n, step) => (Number.isInteger(n) && n >= 1 ? (edgeCaseOf(runbook, { step: step ?? null, n })?.case ?? null) : null),
    actionItemText: (n) => items.find((a) => a.number === n)?.text ?? null,
  };
}

/** Action items as the timeline recorded them: for a snapshot read without its items. */
export function actionItemsFromTimeline(timeline: TimelineEvent[]): ActionItem[] {
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

function describe(e: TimelineEvent, ctx: TimelineContext): Text | null {
  const d: Record<string, unknown> = e.data && typeof e.data === 'object' ? e.data : {};
  const step = () => {
    const id = asString(d.step);
    const found = id !== null ? ctx.stepTitle(id) : null;
    const recorded = str(d, 'title');
    return found ?? { number: null, title: recorded ?? id ?? 'unknown step' };
  };
  const stepRef = () => {
    const s = step();
    return s.number === null ? s.title : `step ${s.number}: ${s.title}`;
  };
  const withText = (words: string, text: string | null): Text => [text ? `${words}: ${text}` : words];
  switch (e.kind) {
    case 'incident.declared': {
      const sev = num(d, 'severity');
      const runbook = str(d, 'runbook');
      return withText(`Declared${sev !== null ? ` as SEV${sev}` : ''}${runbook ? ` with runbook ${runbook}` : ''}`, str(d, 'title'));
    }
    case 'incident.acknowledged': {
      const via = str(d, 'via');
      return [via && Object.hasOwn(ACK_VIA, via) ? `Acknowledged (${ACK_VIA[via]})` : 'Acknowledged'];
    }
    case 'step.completed':
    case 'step.reopened': {
      const s = step();
      const verb = e.kind === 'step.completed' ? 'done' : 'reopened';
      return [s.number === null ? `Step ${verb}: ${s.title}` : `Step ${s.number} ${verb}: ${s.title}`];
    }
    case 'probe.requested': {
      const titles = strs(d, 'probes').map((p) => ctx.probeTitle(p));
      const via = str(d, 'via');
      const lead =
        via === 'declare'
          ? 'Checks started with the declaration'
          : via === 'validation'
            ? 'Checks run again to validate the resolve'
            : titles.length === 1
              ? 'Check requested'
              : 'Checks requested';
      return [titles.length > 0 ? `${lead}: ${titles.join(', ')}` : lead];
    }
    case 'probe.finished': {
      const probe = asString(d.probe) ?? '';
      const reason = str(d, 'reason');
      return [`Check ${ctx.probeTitle(probe)}: ${str(d, 'status') ?? 'finished'}${reason ? ` — ${reason}` : ''}`];
    }
    case 'escalation.fired': {
      // Targets are the runbook's as written (@handle, #channel, an id): said as written.
      const level = num(d, 'level');
      const reason = str(d, 'reason');
      const targets = strs(d, 'targets');
      const note = str(d, 'note');
      return [`Escalated to level ${level ?? '?'}${reason ? ` (${reason})` : ''}${targets.length ? `: ${targets.join(', ')}` : ''}${note ? ` — ${note}` : ''}`];
    }
    case 'diagnosis.overdue': {
      const within = str(d, 'within');
      return [`Diagnosis overdue: no cause recorded within ${within ? withinWords(within) : 'the runbook’s time'}`];
    }
    case 'incident.diagnosed':
      if (d.step !== undefined && d.step !== null) return [`Diagnosed (${stepRef()})`];
      return withText('Diagnosed', str(d, 'cause'));
    case 'incident.mitigated':
      return [d.step !== undefined && d.step !== null ? `Mitigated (${stepRef()})` : 'Mitigated'];
    case 'incident.resolved': {
      const validation = validationWords(d);
      return withText(validation ? `Resolved (${validation})` : 'Resolved', str(d, 'summary'));
    }
    case 'incident.cancelled':
      return withText('Cancelled', str(d, 'reason'));
    case 'incident.severity_changed': {
      // Read as fields: a quoted key named like an import keyword trips the core boundary check.
      const from = asNumber(d.from);
      const to = asNumber(d.to);
      return [from !== null ? `Severity changed from SEV${from} to SEV${to ?? '?'}` : `Severity set to SEV${to ?? '?'}`];
    }
    case 'incident.commander_changed': {
      const from = asString(d.from);
      const to = asString(d.to);
      return ['Commander changed to ', ...(to ? [{ user: to }] : ['nobody']), ...(from ? [' (was ', { user: from }, ')'] : [])];
    }
    case 'incident.channel_opened': {
      const name = str(d, 'name');
      const channel = str(d, 'channel');
      return [name || channel ? `Incident channel opened: ${name ? `#${name}` : channel}` : 'Incident channel opened'];
    }
    case 'incident.setup_retried':
      return ['Channel setup retried'];
    case 'runbook.changed': {
      const from = asString(d.from);
      const to = asString(d.to);
      return withText(`Runbook switched${from ? ` from ${from}` : ''} to ${to ?? '?'} (same incident; the old checklist is kept)`, str(d, 'reason'));
    }
    case 'postmortem.opened': {
      const owner = str(d, 'owner');
      const due = str(d, 'due');
      return ['Post-mortem opened (owner ', owner ? { user: owner } : 'not set', `${due ? `, due ${due}` : ''})`];
    }
    case 'postmortem.moved': {
      const to = str(d, 'to');
      return [`Post-mortem moved to ${to && Object.hasOwn(STATUS_WORDS, to) ? STATUS_WORDS[to as PostmortemStatus] : (to ?? '?')}`];
    }
    case 'postmortem.analysis_edited': {
      // Which parts changed, named as people read them; the text itself is in the post-mortem.
      const byWord = new Map(ANALYSIS_FIELDS.map((f) => [ANALYSIS_WORDS[f], ANALYSIS_LABELS[f].toLowerCase()]));
      const parts = strs(d, 'fields').map((w) => byWord.get(w) ?? w);
      return [`Post-mortem analysis edited${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`];
    }
    case 'action_item.added': {
      const n = num(d, 'number');
      const owner = str(d, 'owner');
      const due = str(d, 'due');
      const out: Text = withText(`Action item ${n ?? '?'} added`, str(d, 'text'));
      if (owner || due) {
        out.push(' (');
        if (owner) out.push('owner ', { user: owner });
        if (due) out.push(`${owner ? ', ' : ''}due ${due}`);
        out.push(')');
      }
      return out;
    }
    case 'action_item.closed': {
      const n = num(d, 'number');
      return withText(`Action item ${n ?? '?'} done`, n !== null ? (ctx.actionItemText?.(n) ?? null) : null);
    }
    case 'edge_case.hit': {
      const n = num(d, 'case');
      const step = str(d, 'step');
      const c = n !== null ? ctx.edgeCase(n, step) : null;
      const id = n === null ? '?' : step ? `${step}:${n}` : String(n);
      const note = str(d, 'note');
      return [`${c ? `Edge case ${id} hit: ${c}` : `Edge case ${id} hit`}${note ? ` — ${note}` : ''}`];
    }
    case 'note.added': {
      // A typed note is the actor's; a pinned message names its author, and links to it.
      const author = str(d, 'author');
      const link = str(d, 'link');
      const text = str(d, 'text') ?? '';
      const out: Text = author ? ['Pinned a message by ', { user: author }, `: ${text}`] : [`Note: ${text}`];
      return link ? [...out, ' (', { link, title: 'message' }, ')'] : out;
    }
    case 'alert.received': {
      const labels = d.labels && typeof d.labels === 'object' ? Object.entries(d.labels as Record<string, unknown>) : [];
      const shown = labels.map(([k, v]) => `${k}=${String(v)}`).join(', ');
      const url = str(d, 'url');
      const text: Text = [`Alert from ${str(d, 'source') ?? 'a source'}${shown ? ` (${shown})` : ''}`];
      return url ? [...text, ': ', { link: url, title: 'source' }] : text;
    }
    case 'class.changed': {
      const from = asString(d.from);
      const to = asString(d.to);
      return [from ? `Class changed from ${from} to ${to ?? '?'}` : `Class set to ${to ?? '?'}`];
    }
    case 'impact.start_set': {
      // `/incident started`: the times show in each reader's zone, like every other time.
      const to = asString(d.to);
      const from = asString(d.from);
      if (!to) return null;
      const out: Text = ['Impact start set to ', { time: new Date(to) }];
      return from ? [...out, ' (was ', { time: new Date(from) }, ')'] : out;
    }
    case 'incident.duplicate_of':
      return [`Closed as a duplicate of INC-${num(d, 'of') ?? '?'}`];
    case 'incident.duplicated':
      return [`INC-${num(d, 'duplicate') ?? '?'} closed as a duplicate of this incident`];
    case 'incident.linked':
      return [`Linked as related to INC-${asNumber(d.with) ?? '?'}`];
    case 'alert.repeated':
      return ['Alert notified again (further repeats are counted, not listed)'];
    case 'alert.resolved':
      return ['Alert resolved (the incident stays open until someone resolves it)'];
    default:
      return null;
  }
}

/** A runbook duration (`15m`) in words (`15 min`); as written if it is not one. */
function withinWords(text: string): string {
  try {
    return duration(durationMs(text) / 1000);
  } catch {
    return text;
  }
}

/** A string field of an event's data, tolerating what old or odd events hold. */
export function str(data: Record<string, unknown> | null | undefined, key: string): string | null {
  return asString(data?.[key]);
}

/** A whole-number field of an event's data. */
export function num(data: Record<string, unknown> | null | undefined, key: string): number | null {
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

function strs(data: Record<string, unknown>, key: string): string[] {
  const v = data[key];
  return Array.isArray(v) ? v.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number').map(String) : [];
}
