import { label, type ActionItem, type AnalysisField, type PostmortemStatus, type Snapshot } from '../model';
import { ANALYSIS_LABELS } from './analysis';
import { isOverdue } from '../incident/local-day';
import type { Text } from '../text/text';

const STATUS: Record<string, string> = { draft: 'a draft', in_review: 'in review', published: 'published', closed: 'closed' };

function itemLine(item: ActionItem, now: Date, tz: string): Text {
  const overdue = isOverdue(item, now, tz);
  const out: Text = [item.closedAt ? '✅ ' : overdue ? '⚠️ ' : '▫️ ', { strong: `#${item.number}` }, ` ${item.text}`];
  if (item.owner) out.push(' · ', { user: item.owner });
  if (item.dueOn) out.push(` · due ${item.dueOn}${overdue ? ' (overdue)' : ''}`);
  if (item.closedAt) out.push(' · done by ', { user: item.closedBy ?? '' }, ' ', { time: item.closedAt });
  return out;
}

export function actionListText(s: Snapshot, now: Date, tz: string): Text {
  const items = s.actionItems ?? [];
  const name = label(s.incident);
  if (items.length === 0) return [`${name} has no action items yet. Add one with `, { command: 'action add <what to do> [@owner] [due YYYY-MM-DD]' }, '.'];
  const open = items.filter((i) => !i.closedAt);
  const out: Text = [`${name} action items: ${open.length} open of ${items.length}.`];
  for (const i of [...open, ...items.filter((x) => x.closedAt)]) out.push('\n', ...itemLine(i, now, tz));
  out.push('\nClose one with ', { command: 'action done <n>' }, '.');
  return out;
}

export function actionAddedText(incident: string, item: ActionItem): Text {
  const out: Text = [`Added #${item.number} to ${incident}: ${item.text}`];
  out.push(item.owner ? ' · owner ' : ' · no owner yet', ...(item.owner ? [{ user: item.owner }] : []));
  if (item.dueOn) out.push(` · due ${item.dueOn}`);
  return [...out, '.'];
}

export function actionClosedText(s: Snapshot, number: number, changed: boolean): Text {
  const name = label(s.incident);
  if (!changed) return [`${name}'s action item #${number} was already done.`];
  const closed = s.postmortem?.status === 'closed' ? ' Every action item is done, so the post-mortem is closed.' : '';
  return [`Closed #${number} of ${name}.${closed}`];
}

export function postmortemStatusText(s: Snapshot): Text {
  const name = label(s.incident);
  const pm = s.postmortem;
  if (!pm) return [`${name} has no post-mortem. Open one with `, { command: 'postmortem' }, '.'];
  const open = (s.actionItems ?? []).filter((i) => !i.closedAt).length;
  const out: Text = [`${name}'s post-mortem is ${STATUS[pm.status] ?? pm.status}`];
  if (pm.owner) out.push(', owned by ', { user: pm.owner });
  out.push(`, due ${pm.dueOn}. `);
  if (pm.status === 'draft') out.push('Send it to review with ', { command: 'postmortem review' }, '. ');
  if (pm.status === 'in_review') out.push('Publish it with ', { command: 'postmortem publish' }, '. ');
  if (pm.status === 'published') out.push(`It closes once its ${open} open action item${open === 1 ? '' : 's'} ${open === 1 ? 'is' : 'are'} done. `);
  out.push('Export it with ', { code: `incident-bot postmortem ${name}` }, '.');
  return out;
}

/** The daily reminder of an overdue item, to its owner (or its incident's room when nobody owns it). */
export function reminderText(item: {
  incidentNumber: number;
  title: string;
  channelId: string | null;
  number: number;
  text: string;
  owner: string | null;
  dueOn: string;
}): Text {
  const name = `INC-${item.incidentNumber}`;
  const out: Text = [`⏰ Action item #${item.number} of ${name} (${item.title}) is overdue: ${item.text} · due ${item.dueOn}`];
  if (!item.owner) out.push('. Nobody owns it yet');
  out.push(
    '. Close it with ',
    { command: `action done ${name} ${item.number}` },
    ' once it is done',
    ...(item.channelId ? [' (in ', { channel: item.channelId }, ')'] : []),
    '.',
  );
  return out;
}

/**
 * The daily reminder of an overdue post-mortem, to its owner (or its incident's room when nobody
 * owns it): where it stands, which parts of its analysis are still empty, and how to go on.
 */
export function postmortemReminderText(pm: {
  incidentNumber: number;
  title: string;
  channelId: string | null;
  status: PostmortemStatus;
  owner: string | null;
  dueOn: string;
  missing: AnalysisField[];
}): Text {
  const name = `INC-${pm.incidentNumber}`;
  const out: Text = [`⏰ The post-mortem of ${name} (${pm.title}) is overdue: ${STATUS[pm.status] ?? pm.status}, due ${pm.dueOn}`];
  if (!pm.owner) out.push('. Nobody owns it yet');
  out.push(pm.missing.length > 0 ? `. Its analysis is missing: ${pm.missing.map((f) => ANALYSIS_LABELS[f]).join(', ')}` : '. Its analysis is written');
  out.push('. Edit it with Edit analysis on the follow-up message');
  if (pm.channelId) out.push(' in ', { channel: pm.channelId });
  out.push(
    ', or ',
    { command: `analysis ${name} <part> <text>` },
    ', then ',
    { command: pm.status === 'draft' ? `postmortem ${name} review` : `postmortem ${name} publish` },
    '.',
  );
  return out;
}
