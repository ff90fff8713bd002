import { isOpen, label, type Snapshot } from '../incident/model';
import type { Playbook } from '../playbook/schema';

/**
 * Platform-neutral pictures of an incident, computed from stored state only. Adapters turn them
 * into Block Kit or Adaptive Cards; they never patch a message piece by piece.
 */
export interface HeaderView {
  heading: string;
  fields: Array<{ label: string; value: ViewText }>;
  links: Array<{ title: string; url: string }>;
  actions: Array<{ id: 'incident.ack' | 'incident.resolve'; label: string; style?: 'primary' | 'danger' }>;
  closingNote: ViewText | null;
}

export interface ChecklistItemView {
  stepId: string;
  number: number;
  title: string;
  detail: string;
  probe: string | null;
  done: { by: string; at: Date } | null;
  /** The state a click asks for; absent when the incident has ended. */
  action: { to: 'done' | 'open'; label: string } | null;
}

export interface ChecklistView {
  heading: string;
  progress: { done: number; total: number };
  items: ChecklistItemView[];
}

/** Inline pieces the adapter knows how to show: a user mention, a time in the reader's zone. */
export type ViewText = Array<string | { user: string } | { time: Date }>;

export function headerView(s: Snapshot, pb: Playbook): HeaderView {
  const i = s.incident;
  const open = isOpen(i);
  const actions: HeaderView['actions'] = [];
  if (i.status === 'declared') actions.push({ id: 'incident.ack', label: 'Acknowledge', style: 'primary' });
  if (open) actions.push({ id: 'incident.resolve', label: 'Resolve', style: 'danger' });
  let closingNote: ViewText | null = null;
  if (i.resolvedAt) closingNote = ['Resolved ', { time: i.resolvedAt }, i.resolution ? `: ${i.resolution}` : ''];
  if (i.cancelledAt) closingNote = ['Cancelled ', { time: i.cancelledAt }, ' (declared by mistake; left out of MTTR)'];
  return {
    heading: `${label(i)} · ${i.title}`,
    fields: [
      { label: 'Severity', value: [`SEV${i.severity}`] },
      { label: 'Status', value: [statusText(i.status)] },
      { label: 'Commander', value: i.commander ? [{ user: i.commander }] : ['nobody yet'] },
      { label: 'Runbook', value: [`${pb.title} (${pb.id})`] },
      { label: 'Declared', value: [{ time: i.declaredAt }, ' by ', { user: i.declaredBy }] },
      { label: 'Acknowledged', value: i.acknowledgedAt ? [{ time: i.acknowledgedAt }] : ['not yet'] },
    ],
    links: pb.links,
    actions,
    closingNote,
  };
}

export function checklistView(s: Snapshot, pb: Playbook): ChecklistView {
  const open = isOpen(s.incident);
  const details = new Map(pb.steps.map((p) => [p.id, p]));
  const items = s.steps.map((st, idx): ChecklistItemView => {
    const def = details.get(st.stepId);
    const done = st.state === 'done' && st.changedBy && st.changedAt ? { by: st.changedBy, at: st.changedAt } : null;
    return {
      stepId: st.stepId,
      number: idx + 1,
      title: st.title,
      detail: def?.detail.trim() ?? '',
      probe: def?.probe ?? null,
      done,
      action: open ? (st.state === 'done' ? { to: 'open', label: 'Reopen' } : { to: 'done', label: 'Done' }) : null,
    };
  });
  return {
    heading: `${label(s.incident)} checklist: ${pb.title}`,
    progress: { done: items.filter((x) => x.done).length, total: items.length },
    items,
  };
}

function statusText(status: string): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}
