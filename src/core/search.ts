import { UserError } from './errors';
import type { Incident, PostmortemStatus } from './model';

/**
 * The memory of past incidents: what the store's search over every incident's summary, cause,
 * resolution, notes and post-mortem analysis answers (README, "Past incidents").
 */

/** At most this many similar incidents are named at declare. */
export const SIMILAR_MAX = 3;
/** At most this many search results are listed. */
export const SEARCH_RESULTS_MAX = 20;
/** Longer search text is refused, not cut: a cut query would find something the person did not ask. */
export const SEARCH_QUERY_MAX = 200;

/** A past incident as a search or the similar-incidents notice shows it. */
export interface PastIncident {
  incident: Incident;
  /** The cause recorded at diagnosis (the latest), else the post-mortem's root cause; null if none was written. */
  cause: string | null;
  postmortem: PostmortemStatus | null;
  /** Imported history: where it came from and its id there (`servicenow`, `INC0012345`). */
  imported: { from: string; externalId: string | null } | null;
  /** Why it is named at declare: the same class, or only words in common. */
  sameClass: boolean;
  /** Search only: the words around the match, marked « », when the match is not in the title alone. */
  matched?: string;
}

/** Whose incidents a search may see: those of this platform and workspace, alert-declared ones (no workspace), and imported history. */
export interface SearchScope {
  platform: string;
  workspace: string | null;
}

export interface SearchAnswer {
  incidents: PastIncident[];
  /** False when the text held no word worth searching (only stop words or punctuation): nothing was looked up. */
  searchable: boolean;
}

export interface IncidentSearch {
  /**
   * Earlier resolved incidents like this one, in its scope, never itself nor a cancelled one: the
   * same class first (not `general`, which takes anything), then incidents sharing words with its
   * title, by text rank, then the newest.
   */
  similar(incident: Incident, limit: number): Promise<PastIncident[]>;
  /** Incidents in scope matching `query` (web search syntax: words, "a phrase", or, -word), most relevant of the recent matches first. */
  search(scope: SearchScope, query: string, limit: number): Promise<SearchAnswer>;
}

// Control characters (NUL among them, which Postgres refuses in text) and bidi controls read as spaces.
const UNSEARCHABLE = /[\p{Cc}\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/gu;

/** What was typed after `search`, made safe to hand to Postgres; refuses nothing to search for and text over SEARCH_QUERY_MAX. */
export function searchQuery(text: string | undefined): string {
  const cleaned = (text ?? '').replace(UNSEARCHABLE, ' ').replace(/\s+/g, ' ').trim();
  if (!cleaned) throw new UserError({ code: 'search_query', reason: 'empty' });
  const length = [...cleaned].length;
  if (length > SEARCH_QUERY_MAX) throw new UserError({ code: 'search_query', reason: 'too_long', max: SEARCH_QUERY_MAX, length });
  return cleaned;
}
