import { label, type Snapshot } from '../model';
import type { Text } from '../text/text';

/**
 * The answers and room notices about an incident's class and the incidents it is tied to.
 * `changed` false: it was already so, and the answer says that instead of claiming it.
 */

export function classText(incident: string, name: string, changed: boolean): Text {
  return [changed ? `${incident} is now in class ${name}; the reports count it there.` : `${incident} is already in class ${name}.`];
}

export function duplicateText(incident: string, original: string, changed: boolean): Text {
  return [
    changed
      ? `${incident} is closed as a duplicate of ${original}; it is left out of MTTR like a cancel.`
      : `${incident} is already a duplicate of ${original}.`,
  ];
}

export function linkedText(incident: string, other: string, changed: boolean): Text {
  return [changed ? `${incident} and ${other} are now linked as related, on both headers.` : `${incident} and ${other} are already linked.`];
}

/** Said in the duplicate's room (`duplicate_of`) or the original's (`duplicated_by`); null if no longer true. */
export function duplicateNotice(s: Snapshot, other: Snapshot, kind: 'duplicate_of' | 'duplicated_by'): Text | null {
  const room = (x: Snapshot): Text => (x.incident.channelId ? [' (', { channel: x.incident.channelId }, ')'] : []);
  if (kind === 'duplicate_of') {
    if (s.incident.duplicateOf !== other.incident.id) return null;
    return [`🔁 ${label(s.incident)} is closed as a duplicate of ${label(other.incident)}`, ...room(other), ': the work goes on there.'];
  }
  if (other.incident.duplicateOf !== s.incident.id) return null;
  return [`🔁 ${label(other.incident)}`, ...room(other), ` was closed as a duplicate of ${label(s.incident)}. Its declarer may know more about the impact.`];
}

/** The header's line on ties to other incidents; null when there are none. */
export function relationsLine(s: Snapshot): Text | null {
  const r = s.relations;
  if (!r) return null;
  const parts: string[] = [];
  if (r.duplicateOf !== null) parts.push(`Duplicate of INC-${r.duplicateOf}`);
  if (r.duplicates.length > 0) parts.push(`Duplicates: ${r.duplicates.map((n) => `INC-${n}`).join(', ')}`);
  if (r.related.length > 0) parts.push(`Related: ${r.related.map((n) => `INC-${n}`).join(', ')}`);
  return parts.length > 0 ? [parts.join(' · ')] : null;
}
