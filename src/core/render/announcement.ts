import { label, type Snapshot } from '../model';
import type { Text } from '../text/text';
import { statusWord, type HeaderView } from './views';

/**
 * The incident as the announce channel shows it, for people outside its room: title, severity,
 * status, commander and the way into the room. Rendered from stored state like the header, and
 * drawn by each platform as a header without buttons or checks (a header, a card).
 * `roomUrl`: the platform's link to the incident's room (ChatPlatform.roomUrl), null before it exists.
 */
export function announcementView(s: Snapshot, roomUrl: string | null): HeaderView {
  const i = s.incident;
  const status = statusWord(i.status);
  return {
    heading: `${label(i)} · ${i.title}`,
    summary: `${label(i)} · SEV${i.severity} · ${i.title} (${status})`,
    fields: [
      { label: 'Severity', value: [`SEV${i.severity}`] },
      { label: 'Status', value: [status] },
      { label: 'Commander', value: i.commander ? [{ user: i.commander }] : ['nobody yet'] },
      { label: 'Incident room', value: roomUrl ? [{ link: roomUrl, title: 'Open the incident room' }] : ['being set up'] },
    ],
    links: [],
    checks: [],
    actions: [],
    closingNote: i.resolvedAt ? ['Resolved ', { time: i.resolvedAt }] : i.cancelledAt ? ['Cancelled ', { time: i.cancelledAt }] : null,
    resolveForm: null,
  };
}

/** The short post in the announce channel when an incident's severity rises to SEV1 or SEV2. */
export function severityRaisedText(s: Snapshot, from: number, to: number, roomUrl: string | null): Text {
  const i = s.incident;
  return [
    { strong: `${label(i)} raised to SEV${to}` },
    ` (was SEV${from}): ${i.title}`,
    ...(roomUrl ? [' · ', { link: roomUrl, title: 'Open the incident room' }] : []),
  ];
}
