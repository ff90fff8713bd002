import { nextLevel } from '../incident/escalation';
import { checklistGeneration, isOpen, label, type ChecklistStep, type ReplacedChecklist, type Snapshot } from '../model';
import type { RunbookCatalog } from '../runbook/catalog';
import { firstLine, markupOf, type Markup } from '../runbook/markup';
import { durationMs, type Runbook } from '../runbook/schema';
import type { ActionView } from '../text/actions';
import { plainText, type Text } from '../text/text';
import { acknowledgeAction } from './notices';
import { relationsLine } from './relation-text';
import { openResolveForm, type ResolveFormView } from './validation';
import { edgeCaseViews, type EdgeCaseView } from './edge-cases';
import { duration } from './digest-text';

export type { EdgeCaseView };

export type { ActionView };

/**
 * Platform-neutral pictures of an incident, computed from stored state only. Adapters turn them
 * into Block Kit or Adaptive Cards; they never patch a message piece by piece.
 */
export interface HeaderView {
  heading: string;
  /** One line for notifications and previews, where no formatting shows. */
  summary: string;
  fields: Array<{ label: string; value: Text }>;
  links: Array<{ title: string; url: string }>;
  /** The runbook's automated checks with their latest results: the triage summary. */
  checks: ProbeView[];
  actions: ActionView[];
  /** The other runbooks this open incident can switch to, one choice each; absent where not offered. */
  switchRunbook?: ActionView[];
  closingNote: Text | null;
  /** What the Resolve button asks for (the quick validation and the resolution); null once ended. */
  resolveForm: ResolveFormView | null;
}

/** A probe as a step or the header shows it: its title and its latest run, if any. */
export interface ProbeView {
  id: string;
  title: string;
  last: { status: 'queued' | 'pass' | 'fail' | 'error'; reason: string | null; at: Date } | null;
}

export interface ChecklistItemView {
  stepId: string;
  number: number;
  title: string;
  /**
   * focus: the next open step, shown whole; open: its title and first line; done: one line.
   * At 3 a.m. the checklist must show where you are and what to do next, in one screen.
   */
  shown: 'focus' | 'open' | 'done';
  detail: Markup;
  firstLine: Text;
  probe: ProbeView | null;
  done: { by: string; at: Date } | null;
  /** The step's own edge cases; surfaces show them on the step in focus and in its Details. */
  edgeCases: EdgeCaseView[];
  /** Done or Reopen first, then Run probe on the step in focus. Empty when the incident has ended. */
  actions: ActionView[];
}

export interface ChecklistView {
  incidentId: string;
  heading: string;
  progress: { done: number; total: number };
  /** The step in focus, or null when every step is done or the incident has ended. */
  focus: string | null;
  items: ChecklistItemView[];
  /** On a checklist a switch of runbook replaced (read-only, no buttons): by what, when, by whom. */
  replaced?: Text;
  /** The runbook-level edge cases, which belong to no one step. */
  edgeCases: EdgeCaseView[];
}

/** One step whole, wherever it is in the checklist: what a Details button opens. */
export interface StepDetailView {
  incidentId: string;
  /** The incident's room, where its buttons act (null before it has one). */
  room: string | null;
  stepId: string;
  heading: string;
  number: number;
  total: number;
  title: string;
  detail: Markup;
  probe: ProbeView | null;
  done: { by: string; at: Date } | null;
  /** The step's own edge cases, then the runbook's, which can happen at any step. */
  edgeCases: EdgeCaseView[];
  runbookEdgeCases: EdgeCaseView[];
}

/** With `catalog`, an open incident's header offers to switch to each of its other runbooks. */
export function headerView(s: Snapshot, runbook: Runbook, catalog?: Pick<RunbookCatalog, 'all'>): HeaderView {
  const i = s.incident;
  const open = isOpen(i);
  const actions: ActionView[] = [];
  // Until a responder acknowledges: working the incident (even mitigating it) is not acknowledging.
  if (open && !i.acknowledgedAt) actions.push(acknowledgeAction(i.id));
  if (open && runbook.probes.length > 0) actions.push({ label: 'Run all checks', payload: { a: 'probe', i: i.id, p: 'all' } });
  // For a cause found outside the checklist; the step marked `diagnosed` records it too.
  if (open && !i.diagnosedAt) actions.push({ label: 'Cause identified', payload: { a: 'diagnosed', i: i.id } });
  const next = nextLevel(s, runbook);
  if (open && next) {
    actions.push({
      label: 'Escalate',
      confirm: {
        title: `Page level ${next.level} now?`,
        text: `This pages ${next.targets.join(', ')} now, without waiting for the ladder.`,
        ok: 'Escalate',
        cancel: 'Not yet',
      },
      payload: { a: 'escalate', i: i.id },
    });
  }
  if (open) {
    actions.push({
      // No confirm: the button opens the resolve form (resolveForm), which is the confirmation.
      label: 'Resolve',
      style: 'danger',
      payload: { a: 'resolve', i: i.id },
    });
  }
  let closingNote: Text | null = null;
  if (i.resolvedAt) closingNote = ['Resolved ', { time: i.resolvedAt }, i.resolution ? `: ${i.resolution}` : ''];
  if (i.cancelledAt) closingNote = ['Cancelled ', { time: i.cancelledAt }, ' (declared by mistake; left out of MTTR)'];
  const duplicateOf = s.relations?.duplicateOf ?? null;
  if (i.cancelledAt && duplicateOf !== null) closingNote = ['Closed ', { time: i.cancelledAt }, ` as a duplicate of INC-${duplicateOf} (left out of MTTR)`];
  const related = relationsLine(s);
  const status = statusWord(i.status);
  const clock = diagnosisClock(s, runbook);
  const ladder = escalationLadder(s, runbook);
  return {
    heading: `${label(i)} · ${i.title}`,
    summary: `${label(i)} · ${i.title} (${status})`,
    fields: [
      { label: 'Severity', value: [`SEV${i.severity}`] },
      { label: 'Status', value: [status] },
      { label: 'Commander', value: i.commander ? [{ user: i.commander }] : ['nobody yet'] },
      { label: 'Runbook', value: [`${runbook.title} (${runbook.id})`] },
      { label: 'Class', value: [i.class] },
      ...(related ? [{ label: 'Related incidents', value: related }] : []),
      // Impact start rides in Declared's field: a Slack section holds at most 10 fields.
      { label: 'Declared', value: [{ time: i.declaredAt, relative: true }, ' by ', { user: i.declaredBy }, ...impactStart(i)] },
      { label: 'Acknowledged', value: i.acknowledgedAt ? [{ time: i.acknowledgedAt }] : ['not yet'] },
      ...(clock ? [{ label: 'Diagnosis', value: clock }] : []),
      ...(ladder ? [{ label: 'Escalation', value: ladder }] : []),
    ],
    links: runbook.links,
    checks: runbook.probes.map((p) => probeView(s, p.id, p.title)),
    actions,
    ...(open && catalog ? { switchRunbook: switchChoices(s, catalog) } : {}),
    closingNote,
    resolveForm: openResolveForm(s, runbook),
  };
}

/** "; impact started 02:40 (14 min before)", where something said when. */
function impactStart(i: Snapshot['incident']): Text {
  if (!i.impactStartedAt) return [];
  const before = Math.max(0, (i.declaredAt.getTime() - i.impactStartedAt.getTime()) / 1000);
  return ['; impact started ', { time: i.impactStartedAt }, ` (${duration(before)} before)`];
}

function switchChoices(s: Snapshot, catalog: Pick<RunbookCatalog, 'all'>): ActionView[] {
  return catalog.all
    .filter((r) => r.id !== s.incident.runbookId)
    .map((r) => ({ label: `${r.id}: ${r.title}`, payload: { a: 'runbook' as const, i: s.incident.id, r: r.id } }));
}

/** The probe's latest run as it should read: queued runs show as running. */
export function probeView(s: Snapshot, id: string, title: string): ProbeView {
  const run = s.probes?.find((p) => p.probeId === id);
  return { id, title, last: run ? { status: run.status, reason: run.reason, at: run.finishedAt ?? run.queuedAt } : null };
}

/** One mark a person reads at a glance. */
export function probeMark(status: 'queued' | 'pass' | 'fail' | 'error' | null): string {
  return status === 'pass' ? '✅' : status === 'fail' ? '❌' : status === 'error' ? '⚠️' : status === 'queued' ? '⏳' : '▫️';
}

/**
 * The module's promise is a cause within `diagnose_within` (15 minutes unless the runbook says
 * otherwise). Until a cause is recorded the header counts down to the limit; the platform keeps
 * the relative time current, so the clock moves without a re-render.
 */
export function diagnosisClock(s: Snapshot, runbook: Runbook): Text | null {
  const i = s.incident;
  const limitMs = durationMs(runbook.diagnose_within);
  const minutes = (ms: number) => Math.max(0, Math.round(ms / 60_000));
  if (i.diagnosedAt) {
    const took = i.diagnosedAt.getTime() - i.declaredAt.getTime();
    return [`${took <= limitMs ? '✅' : '⚠️'} Cause found in ${minutes(took)} min (limit ${minutes(limitMs)} min)`];
  }
  if (!isOpen(i)) return i.cancelledAt ? null : ['No cause was recorded'];
  const due = new Date(i.declaredAt.getTime() + limitMs);
  return [`⏱ Diagnosing · ${minutes(limitMs)} min limit, due `, { time: due, relative: true }];
}

/**
 * Where the on-call ladder stands: "Level 2 paged 10:14 · next: @head-of-engineering at 10:44",
 * or why it stopped. Null when it never started and never will (an incident ended unpaged).
 */
export function escalationLadder(s: Snapshot, runbook: Runbook): Text | null {
  const i = s.incident;
  const last = (s.escalations ?? []).at(-1);
  const paged: Text = last ? [`Level ${last.level} paged `, { time: last.at }] : [];
  const sep = last ? ' · ' : '';
  if (!isOpen(i)) return last ? [...paged, `${sep}stopped: ${i.status}`] : null;
  if (i.acknowledgedAt) return [...paged, `${sep}${last ? 'stopped' : 'Not needed'}: acknowledged `, { time: i.acknowledgedAt }];
  const next = nextLevel(s, runbook);
  if (!next) return [...paged, `${sep}no more levels`];
  return [...(last ? paged : ['Nobody paged yet']), ` · next: level ${next.level}, ${next.targets.join(' ')} at `, { time: next.due, relative: true }];
}

export function checklistView(s: Snapshot, runbook: Runbook): ChecklistView {
  return stepsView(s, runbook, s.steps, isOpen(s.incident), checklistGeneration(s));
}

/**
 * A checklist a switch of runbook replaced, as it was left: its done steps with who and when, no
 * buttons, and a line saying what replaced it.
 */
export function replacedChecklistView(s: Snapshot, old: ReplacedChecklist, runbook: Runbook, replacedWith: Runbook): ChecklistView {
  const view = stepsView(s, runbook, old.steps, false, old.generation);
  // An edge case id names a case of the runbook followed now: This happened on the old runbook's
  // cases would record another runbook's case.
  const readOnly = (edges: EdgeCaseView[]) => edges.map((e) => ({ ...e, actions: [] }));
  return {
    ...view,
    items: view.items.map((x) => ({ ...x, edgeCases: readOnly(x.edgeCases) })),
    edgeCases: readOnly(view.edgeCases),
    heading: `${view.heading} (replaced)`,
    replaced: [
      `Replaced by ${replacedWith.title} (${replacedWith.id}) `,
      { time: old.replacedAt },
      ' by ',
      { user: old.replacedBy },
      old.reason ? `: ${old.reason}` : '.',
    ],
  };
}

/**
 * Every checklist the incident has shown, oldest first: those its runbook switches replaced, then
 * the current one. `generation` names each, so each keeps its own messages.
 */
export function checklistViews(s: Snapshot, catalog: Pick<RunbookCatalog, 'forIncident'>): Array<{ generation: number; view: ChecklistView }> {
  const old = (s.replaced ?? []).map((r) => ({
    generation: r.generation,
    view: replacedChecklistView(s, r, catalog.forIncident(r.runbookId), catalog.forIncident(r.replacedWith)),
  }));
  return [...old, { generation: checklistGeneration(s), view: checklistView(s, catalog.forIncident(s.incident.runbookId)) }];
}

function stepsView(s: Snapshot, runbook: Runbook, steps: ChecklistStep[], open: boolean, generation: number): ChecklistView {
  const details = new Map(runbook.steps.map((p) => [p.id, p]));
  const probeTitles = new Map(runbook.probes.map((p) => [p.id, p.title]));
  const focus = open ? (steps.find((st) => st.state !== 'done')?.stepId ?? null) : null;
  const items = steps.map((st, idx): ChecklistItemView => {
    const def = details.get(st.stepId);
    const done = st.state === 'done' && st.changedBy && st.changedAt ? { by: st.changedBy, at: st.changedAt } : null;
    const to = st.state === 'done' ? 'open' : 'done';
    const detail = markupOf(def?.detail ?? '');
    const inFocus = st.stepId === focus;
    return {
      stepId: st.stepId,
      number: idx + 1,
      title: st.title,
      shown: inFocus ? 'focus' : st.state === 'done' ? 'done' : 'open',
      detail,
      firstLine: clip(firstLine(detail), FIRST_LINE_MAX),
      probe: def?.probe ? probeView(s, def.probe, probeTitles.get(def.probe) ?? def.probe) : null,
      done,
      edgeCases: edgeCaseViews(s, runbook, st.stepId),
      actions: open
        ? [
            {
              label: to === 'done' ? 'Done' : 'Reopen',
              ...(to === 'done' ? { style: 'primary' as const } : {}),
              payload: { a: 'step', i: s.incident.id, s: st.stepId, to, ...(generation > 1 ? { g: generation } : {}) },
            },
            ...(def?.probe && inFocus ? [{ label: 'Run probe', payload: { a: 'probe' as const, i: s.incident.id, p: def.probe } }] : []),
          ]
        : [],
    };
  });
  return {
    incidentId: s.incident.id,
    heading: `${label(s.incident)} checklist: ${runbook.title}`,
    progress: { done: items.filter((x) => x.done).length, total: items.length },
    focus,
    items,
    edgeCases: edgeCaseViews(s, runbook, null),
  };
}

/** A step out of focus shows one line of its detail, so the checklist stays one screen tall. */
const FIRST_LINE_MAX = 80;

/** The text cut to `max` characters with an ellipsis, without breaking a span's kind. */
export function clip(text: Text, max: number): Text {
  const out: Text = [];
  let left = max;
  for (const span of text) {
    const len = plainText([span]).length;
    if (len <= left) {
      out.push(span);
      left -= len;
      continue;
    }
    if (typeof span === 'string') out.push(`${span.slice(0, Math.max(0, left - 1))}…`);
    else if ('code' in span) out.push({ code: `${span.code.slice(0, Math.max(0, left - 1))}…` });
    else out.push('…');
    return out;
  }
  return out;
}

/** Null when the runbook has no such step (a button from before the runbook changed). */
export function stepDetailView(s: Snapshot, runbook: Runbook, stepId: string): StepDetailView | null {
  const checklist = checklistView(s, runbook);
  const item = checklist.items.find((x) => x.stepId === stepId);
  if (!item) return null;
  return {
    incidentId: s.incident.id,
    room: s.incident.channelId,
    stepId,
    heading: `${label(s.incident)} · step ${item.number} of ${s.steps.length}`,
    number: item.number,
    total: s.steps.length,
    title: item.title,
    detail: item.detail,
    probe: item.probe,
    done: item.done,
    edgeCases: item.edgeCases,
    runbookEdgeCases: checklist.edgeCases,
  };
}

export function statusWord(status: string): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}
