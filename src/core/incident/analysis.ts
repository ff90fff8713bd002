import { UserError, type Role } from '../errors';
import { ANALYSIS_FIELDS, label, NOT_APPLICABLE, type Actor, type AnalysisField, type PostmortemAnalysis, type Snapshot } from '../model';
import type { Change } from '../ports';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { checkedText, MAX_ANALYSIS_TEXT, type AnalysisTextField } from './text-limits';

/** How the typed command and the timeline name each part: `analysis root_cause …`. */
export const ANALYSIS_WORDS: Record<AnalysisField, string> = {
  impactSummary: 'impact',
  rootCause: 'root_cause',
  causeCategory: 'category',
  contributingFactors: 'factors',
  wentWell: 'went_well',
  wentBadly: 'went_badly',
  lessons: 'lessons',
};

const TEXT_FIELD: Record<Exclude<AnalysisField, 'causeCategory'>, AnalysisTextField> = {
  impactSummary: 'impact',
  rootCause: 'root cause',
  contributingFactors: 'contributing factors',
  wentWell: 'what went well',
  wentBadly: 'what went badly',
  lessons: 'lessons',
};

/** As migration 0024 checks it: lowercase words of letters and digits joined by single dashes. */
const CATEGORY = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const MAX_CATEGORY = 64;

export const EMPTY_ANALYSIS: PostmortemAnalysis = Object.fromEntries(ANALYSIS_FIELDS.map((f) => [f, null])) as PostmortemAnalysis;

export function isNotApplicable(value: string | null | undefined): boolean {
  return value?.trim().toLowerCase() === NOT_APPLICABLE;
}

/**
 * The parts still empty, in order. "n/a" fills a part, the category included (a cause no category
 * fits; the reports then count it under none). The category is needed only with a root cause: a
 * cause written "n/a" (not found) has nothing to count recurrence by.
 */
export function missingAnalysis(a: Partial<PostmortemAnalysis> | undefined): AnalysisField[] {
  const v = { ...EMPTY_ANALYSIS, ...a };
  return ANALYSIS_FIELDS.filter((f) => (f === 'causeCategory' ? v.causeCategory === null && !isNotApplicable(v.rootCause) : v[f] === null));
}

/** A part as typed, checked: text within MAX_ANALYSIS_TEXT, "n/a" in any case as "n/a", empty as null. */
export function checkedAnalysisValue(field: AnalysisField, value: string | null | undefined): string | null {
  if (field === 'causeCategory') return checkedCategory(value);
  const text = checkedText(value ?? undefined, TEXT_FIELD[field], MAX_ANALYSIS_TEXT);
  return isNotApplicable(text) ? NOT_APPLICABLE : text;
}

/** Nothing clears it; "n/a" says no category fits; anything else must be a slug, which a refusal explains with an example. */
function checkedCategory(value: string | null | undefined): string | null {
  const typed = value?.trim().toLowerCase() ?? '';
  if (typed === '') return null;
  if (typed === NOT_APPLICABLE) return NOT_APPLICABLE;
  if (typed.length > MAX_CATEGORY || !CATEGORY.test(typed)) throw new UserError({ code: 'invalid_category', input: value!.trim().slice(0, 80) });
  return typed;
}

/** The analysis is the post-mortem's: whoever may move it on (its owner, the commander, an admin) writes it. */
export function requireAnalysisEditor(s: Snapshot, actor: Actor): void {
  const pm = s.postmortem;
  const name = label(s.incident);
  if (!pm) throw new UserError({ code: 'no_postmortem', incident: name });
  // What was reviewed and published stays as published; what was learned since goes into notes and action items.
  if (pm.status === 'published' || pm.status === 'closed') throw new UserError({ code: 'analysis_locked', incident: name, status: pm.status });
  if (actor.isAdmin || actor.id === pm.owner || actor.id === s.incident.commander) return;
  const can: Role[] = [];
  if (pm.owner) can.push({ role: 'post-mortem owner', user: pm.owner });
  if (s.incident.commander && s.incident.commander !== pm.owner) can.push({ role: 'commander', user: s.incident.commander });
  can.push({ role: 'admin' });
  throw new UserError({ code: 'not_allowed', incident: name, action: 'edit_analysis', can });
}

/**
 * Writes the parts given (any subset; an empty one clears it). The timeline records which parts
 * changed, not their text: the text lives on the post-mortem, and the export shows it. Parts that
 * already say the same change nothing, and a request sent twice is written once.
 */
export function decideEditAnalysis(s: Snapshot, actor: Actor, input: Partial<Record<AnalysisField, string | null>>, at: Date, requestId: string): Change {
  requireAnalysisEditor(s, actor);
  const current = { ...EMPTY_ANALYSIS, ...s.postmortem!.analysis };
  const set: Partial<PostmortemAnalysis> = {};
  for (const f of ANALYSIS_FIELDS) {
    if (!(f in input)) continue;
    const value = checkedAnalysisValue(f, input[f]);
    if (value !== current[f]) set[f] = value;
  }
  const changed = ANALYSIS_FIELDS.filter((f) => f in set);
  if (changed.length === 0) return { events: [] };
  return {
    postmortemAnalysis: { set, at, by: actor.id },
    events: [
      {
        kind: 'postmortem.analysis_edited',
        actor: actor.id,
        at,
        data: { fields: changed.map((f) => ANALYSIS_WORDS[f]) },
        key: `${s.incident.id}:pm-analysis:${requestId}`,
      },
    ],
  };
}

export function editAnalysis(deps: CoreDeps, incidentId: string, actor: Actor, input: Partial<Record<AnalysisField, string | null>>, requestId: string) {
  return changeIncident(deps, incidentId, (s, at) => decideEditAnalysis(s, actor, input, at, requestId));
}
