import type { EscalationNotice } from '../ports';
import { awaitingCause, isOpen, label, type Incident, type Snapshot } from '../model';
import { webhookName, type Runbook } from '../runbook/schema';
import type { Text } from '../text/text';
import type { ActionView } from '../text/actions';
import { diagnosisOverdueText, escalationFiredText } from './replies';

/**
 * The notices the jobs post, worded from stored state when they run (not when they were
 * decided), so a notice delayed by retries never says what stopped being true meanwhile.
 */

/** An alert no runbook routes, offered where unrouted alerts go: what it said, and how to declare it. */
export function unroutedAlertText(a: { source: string; title: string; labels: Record<string, string>; url: string | null; runbooks: string[] }): Text {
  const labels = Object.entries(a.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const out: Text = [`An alert from ${a.source} matches no runbook: `, { strong: a.title }, labels ? ` (${labels})` : ''];
  if (a.url) out.push(' ', { link: a.url, title: 'source' });
  out.push('. Declare it as one of: ');
  a.runbooks.forEach((id, i) => out.push(...(i > 0 ? [', '] : []), { command: id }));
  out.push('. Add an alerts: route to the runbook so the next one declares itself.');
  return out;
}

/**
 * The answer to a click on an unrouted alert's "Declare as <runbook>": declared now (`opening` says
 * what happens next on that surface), or the incident the alert already is, with `where` it is.
 */
export function alertDeclaredText(incident: Pick<Incident, 'number' | 'runbookId'>, created: boolean, opening: string | null, where: Text | null): Text {
  if (created) return [`${label(incident)} declared with runbook `, { code: incident.runbookId }, opening ? `. ${opening}` : '.'];
  return [`This alert is ${label(incident)} already`, ...(where ? [': ', ...where] : []), '.'];
}

/**
 * The incident's alert stopped firing: said once in the room, and never a resolution. Null once
 * the incident ended (nothing left to validate).
 */
export function alertResolvedNotice(s: Snapshot, endedAt: Date): Text | null {
  if (!isOpen(s.incident)) return null;
  return ['The alert resolved at ', { time: endedAt }, '; run the quick validation, then resolve ', label(s.incident), ' if it holds.'];
}

/**
 * The notice as stored state has it when it is posted. Null if the cause was recorded or the
 * incident ended since it was decided: the channel would be told something no longer true.
 */
export function diagnosisNotice(s: Snapshot, runbook: Runbook): Text | null {
  if (!awaitingCause(s.incident)) return null;
  const stepId = runbook.steps.find((st) => st.marks === 'diagnosed')?.id;
  const position = s.steps.findIndex((st) => st.stepId === stepId);
  const step = position >= 0 ? { number: position + 1, title: s.steps[position]!.title } : null;
  return diagnosisOverdueText({ incident: label(s.incident), within: runbook.diagnose_within, rule: diagnosisRule(runbook), step });
}

/**
 * The line of the diagnosing step that says when to escalate, as a sentence to quote: without
 * the Markdown markers a runbook may use (bold, code) or a list bullet. Null when there is none.
 */
export function diagnosisRule(runbook: Runbook): string | null {
  const detail = runbook.steps.find((st) => st.marks === 'diagnosed')?.detail ?? '';
  const line = detail.split('\n').find((l) => /escalat/i.test(l));
  if (!line) return null;
  return line
    .replace(/[*]{2}|\x60/g, '') // bold markers and backticks
    .replace(/^\s*(?:[-*]|\d+\.)\s+/, '')
    .trim();
}

/** The Acknowledge button, on the header and on every page: a responder takes the incident. */
export function acknowledgeAction(incidentId: string): ActionView {
  return { label: 'Acknowledge', style: 'primary', payload: { a: 'ack', i: incidentId } };
}

/** A fired level as its chat platform delivers it, from stored state; null if it never fired. */
export function escalationNotice(s: Snapshot, runbook: Runbook, level: number): EscalationNotice | null {
  const fired = (s.escalations ?? []).find((f) => f.level === level);
  if (!fired) return null;
  return {
    incidentId: s.incident.id,
    level,
    targets: fired.targets.filter((t) => webhookName(t) === null),
    text: escalationFiredText({
      incident: label(s.incident),
      level,
      levels: runbook.escalation.length,
      reason: fired.reason,
      after: runbook.escalation[level - 1]?.after ?? null,
      by: fired.by,
      note: fired.note,
    }),
    fixAt: `runbook ${runbook.id} (${runbook.id}.yaml), escalation.${level - 1}.notify`,
    actions: [acknowledgeAction(s.incident.id)],
  };
}
