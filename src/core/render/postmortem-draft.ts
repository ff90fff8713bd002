import { label, type Snapshot } from '../model';
import type { TimelineEvent } from '../ports';
import type { Runbook } from '../runbook/schema';
import { edgeCaseOf, edgeCaseRefOf } from '../runbook/edge-cases';
import type { ActionView } from '../text/actions';
import { duration } from './digest-text';
import type { Text } from '../text/text';

/** The last events the channel post quotes; the export has them all. */
const RECENT = 8;

const WORDS: Record<string, string> = {
  'incident.declared': 'declared',
  'incident.acknowledged': 'acknowledged',
  'incident.diagnosed': 'cause recorded',
  'incident.mitigated': 'mitigated',
  'incident.resolved': 'resolved',
  'escalation.fired': 'escalated',
  'step.completed': 'step done',
  'step.reopened': 'step reopened',
  'probe.finished': 'check finished',
  'action_item.added': 'action item added',
  'edge_case.hit': 'edge case hit',
  'note.added': 'note',
};

/**
 * What the channel sees when a post-mortem opens: who owns it and by when, the impact window and
 * the incident's own MTTA, time to diagnose and MTTR, the resolution, the edge cases hit and the
 * last events, with the command that prints the whole draft as Markdown, and Edit analysis and
 * Send to review. Null without one.
 */
export function postmortemDraft(s: Snapshot, runbook: Runbook, timeline: TimelineEvent[]): { text: Text; actions: ActionView[] } | null {
  const pm = s.postmortem;
  if (!pm) return null;
  const i = s.incident;
  const name = label(i);
  const since = (to: Date | null) => (to ? duration((to.getTime() - i.declaredAt.getTime()) / 1000) : 'not recorded');
  const text: Text = [{ strong: `📝 Post-mortem draft for ${name} · ${i.title}` }, '\nOwner '];
  text.push(pm.owner ? { user: pm.owner } : 'nobody yet', `, due ${pm.dueOn}. Impact: declared `, { time: i.declaredAt });
  text.push(...(i.resolvedAt ? [', resolved ', { time: i.resolvedAt }, ` (${since(i.resolvedAt)})`] : [' (not resolved)']), '.');
  text.push(`\nMTTA ${since(i.acknowledgedAt)} · time to diagnose ${since(i.diagnosedAt)} · MTTR ${since(i.resolvedAt)}`);
  text.push(`\nResolution: ${i.resolution ?? 'no summary was given at resolve'}`);
  const hit = timeline
    .filter((e) => e.kind === 'edge_case.hit')
    .map((e) => {
      const ref = edgeCaseRefOf(e.data);
      return ref ? edgeCaseOf(runbook, ref)?.case : undefined;
    })
    .filter(Boolean);
  text.push(`\nEdge cases hit: ${hit.length > 0 ? hit.join('; ') : 'none recorded'}`);
  const recent = timeline.filter((e) => WORDS[e.kind]).slice(-RECENT);
  text.push(`\nTimeline (${timeline.length} events; the last ${recent.length}):`);
  // Times and what happened, without who: naming people here would page everyone in the timeline.
  for (const e of recent) text.push('\n• ', { time: e.at }, ` ${WORDS[e.kind]}`);
  text.push(
    '\nThe whole draft, as Markdown: ',
    { code: `incident-bot postmortem ${name}` },
    '. Add follow-up work with ',
    { command: 'action add <what> [@owner] [due YYYY-MM-DD]' },
    '.',
  );
  // The draft is where people start writing: Edit analysis opens the same form as on the follow-up message.
  const actions: ActionView[] =
    pm.status === 'draft'
      ? [
          { label: 'Edit analysis', payload: { a: 'analysis', i: i.id } },
          { label: 'Send to review', payload: { a: 'pm', i: i.id, to: 'in_review' } },
        ]
      : [];
  return { text, actions };
}
