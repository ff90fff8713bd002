import { label, type Incident, type PostmortemStatus } from '../model';
import type { PastIncident, SearchAnswer } from '../search';
import type { Text } from '../text/text';
import { formatDuration } from './report-text';

/** A past incident's title, cause and fix are quoted up to this many characters: enough to recognise, short enough for three in a channel. */
const QUOTE_MAX = 160;

const PM_WORDS: Record<PostmortemStatus, string> = { draft: 'draft', in_review: 'in review', published: 'published', closed: 'closed' };

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= QUOTE_MAX
    ? flat
    : `${chars
        .slice(0, QUOTE_MAX - 1)
        .join('')
        .trimEnd()}…`;
}

function mttr(i: Incident): string {
  return i.resolvedAt ? `resolved in ${formatDuration((i.resolvedAt.getTime() - i.declaredAt.getTime()) / 1000)}` : i.status;
}

/**
 * Two lines per incident: what it was and when, then its cause, its fix and where to read more.
 * `platform`: where the text is shown; a room on another platform (or none, for imported history)
 * cannot be linked from there, so the line says where the incident came from instead.
 */
function pastIncidentLines(p: PastIncident, platform: string, why?: string): Text {
  const i = p.incident;
  const out: Text = ['\n• ', { strong: label(i) }, ` · ${i.class} · `, { time: i.declaredAt }, ` · ${mttr(i)} · ${quote(i.title)}`];
  if (why) out.push(` (${why})`);
  if (p.matched) out.push('\n    Matched: ', quote(p.matched));
  out.push('\n    Cause: ', p.cause ? quote(p.cause) : 'not recorded', ' · Fix: ', i.resolution ? quote(i.resolution) : 'not written down');
  const pm = p.postmortem ? `post-mortem (${PM_WORDS[p.postmortem]})` : null;
  if (p.imported) out.push(` · imported from ${p.imported.from}${p.imported.externalId ? ` (${p.imported.externalId})` : ''}`);
  else if (i.channelId && i.platform === platform) out.push(pm ? ` · ${pm}: ` : ' · ', { channel: i.channelId });
  else if (pm) out.push(` · ${pm}`);
  return out;
}

/**
 * The notice posted under a new incident's checklist. Null when there is nothing to name, or the
 * incident was cancelled meanwhile: a room is told only what is both true and useful.
 */
export function similarIncidentsText(incident: Incident, past: PastIncident[], platform: string): Text | null {
  if (past.length === 0 || incident.status === 'cancelled') return null;
  const n = past.length;
  const out: Text = [
    { strong: 'Seen before' },
    `: ${n === 1 ? 'an earlier incident' : `${n} earlier incidents`} like ${label(incident)}, the same class first, then those sharing words with its title.`,
  ];
  for (const p of past) out.push(...pastIncidentLines(p, platform, p.sameClass ? 'same class' : 'shared words'));
  out.push('\nMore: ', { command: 'search <words>' }, '.');
  return out;
}

/** The answer to `search <words>`. */
export function searchResultsText(query: string, answer: SearchAnswer, platform: string, max: number): Text {
  if (!answer.searchable)
    return [
      `"${quote(query)}" has no word to search for, only very common words or punctuation. Try a word of the cause or the symptom, e.g. `,
      { command: 'search key rotated' },
      '.',
    ];
  const found = answer.incidents;
  if (found.length === 0)
    return [`No past incident matches "${quote(query)}". Search reads summaries, causes, resolutions, notes and post-mortems; try fewer or other words.`];
  const head =
    found.length >= max
      ? `the ${max} most relevant of the latest matches`
      : `${found.length === 1 ? '1 incident' : `${found.length} incidents`}, most relevant first`;
  const out: Text = [{ strong: `Past incidents matching "${quote(query)}"` }, `: ${head}.`];
  for (const p of found) out.push(...pastIncidentLines(p, platform));
  return out;
}
