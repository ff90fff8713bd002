import { isOpen, label, type Snapshot } from '../incident/model';
import type { Runbook } from '../runbook/schema';
import type { ActionPayload } from './actions';
import type { Text } from './text';

/**
 * Platform-neutral pictures of an incident, computed from stored state only. Adapters turn them
 * into Block Kit or Adaptive Cards; they never patch a message piece by piece.
 */
export interface ActionView {
  label: string;
  style?: 'primary' | 'danger';
  /** Asked before the action runs, for what cannot be undone with one more click. */
  confirm?: { title: string; text: string; ok: string; cancel: string };
  payload: ActionPayload;
}

export interface HeaderView {
  heading: string;
  /** One line for notifications and previews, where no formatting shows. */
  summary: string;
  fields: Array<{ label: string; value: Text }>;
  links: Array<{ title: string; url: string }>;
  /** The runbook's automated checks with their latest results: the triage summary. */
  checks: ProbeView[];
  actions: ActionView[];
  closingNote: Text | null;
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
  detail: string;
  probe: ProbeView | null;
  done: { by: string; at: Date } | null;
  /** Empty when the incident has ended. */
  actions: ActionView[];
}

export interface ChecklistView {
  heading: string;
  progress: { done: number; total: number };
  items: ChecklistItemView[];
}

export function headerView(s: Snapshot, pb: Runbook): HeaderView {
  const i = s.incident;
  const open = isOpen(i);
  const actions: ActionView[] = [];
  if (i.status === 'declared') actions.push({ label: 'Acknowledge', style: 'primary', payload: { a: 'ack', i: i.id } });
  if (open && pb.probes.length > 0) actions.push({ label: 'Run all checks', payload: { a: 'probe', i: i.id, p: 'all' } });
  if (open) {
    actions.push({
      label: 'Resolve',
      style: 'danger',
      confirm: {
        title: 'Resolve this incident?',
        text: 'It closes the checklist. To add a summary, use the resolve command with a summary instead.',
        ok: 'Resolve',
        cancel: 'Not yet',
      },
      payload: { a: 'resolve', i: i.id },
    });
  }
  let closingNote: Text | null = null;
  if (i.resolvedAt) closingNote = ['Resolved ', { time: i.resolvedAt }, i.resolution ? `: ${i.resolution}` : ''];
  if (i.cancelledAt) closingNote = ['Cancelled ', { time: i.cancelledAt }, ' (declared by mistake; left out of MTTR)'];
  const status = statusWord(i.status);
  return {
    heading: `${label(i)} · ${i.title}`,
    summary: `${label(i)} · ${i.title} (${status})`,
    fields: [
      { label: 'Severity', value: [`SEV${i.severity}`] },
      { label: 'Status', value: [status] },
      { label: 'Commander', value: i.commander ? [{ user: i.commander }] : ['nobody yet'] },
      { label: 'Runbook', value: [`${pb.title} (${pb.id})`] },
      { label: 'Declared', value: [{ time: i.declaredAt }, ' by ', { user: i.declaredBy }] },
      { label: 'Acknowledged', value: i.acknowledgedAt ? [{ time: i.acknowledgedAt }] : ['not yet'] },
    ],
    links: pb.links,
    checks: pb.probes.map((p) => probeView(s, p.id, p.title)),
    actions,
    closingNote,
  };
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

export function checklistView(s: Snapshot, pb: Runbook): ChecklistView {
  const open = isOpen(s.incident);
  const details = new Map(pb.steps.map((p) => [p.id, p]));
  const probeTitles = new Map(pb.probes.map((p) => [p.id, p.title]));
  const items = s.steps.map((st, idx): ChecklistItemView => {
    const def = details.get(st.stepId);
    const done = st.state === 'done' && st.changedBy && st.changedAt ? { by: st.changedBy, at: st.changedAt } : null;
    const to = st.state === 'done' ? 'open' : 'done';
    return {
      stepId: st.stepId,
      number: idx + 1,
      title: st.title,
      detail: def?.detail.trim() ?? '',
      probe: def?.probe ? probeView(s, def.probe, probeTitles.get(def.probe) ?? def.probe) : null,
      done,
      actions: open
        ? [
            { label: to === 'done' ? 'Done' : 'Reopen', ...(to === 'done' ? { style: 'primary' as const } : {}), payload: { a: 'step', i: s.incident.id, s: st.stepId, to } },
            ...(def?.probe ? [{ label: 'Run probe', payload: { a: 'probe' as const, i: s.incident.id, p: def.probe } }] : []),
          ]
        : [],
    };
  });
  return {
    heading: `${label(s.incident)} checklist: ${pb.title}`,
    progress: { done: items.filter((x) => x.done).length, total: items.length },
    items,
  };
}

export function statusWord(status: string): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}
