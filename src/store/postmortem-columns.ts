import type { AnalysisField } from '../core/model';

/**
 * A post-mortem's cause category as people read it: "n/a" when they said no category fits (kept
 * as a flag, so reports count the cause under none), else the slug or null. `m` is postmortems.
 */
export const CAUSE_CATEGORY_SHOWN = `CASE WHEN m.cause_category_na THEN 'n/a' ELSE m.cause_category END`;

/** Each part of a post-mortem's analysis, by its column in postmortems. */
export const ANALYSIS_COLUMNS: Record<AnalysisField, string> = {
  impactSummary: 'impact_summary',
  rootCause: 'root_cause',
  causeCategory: 'cause_category',
  contributingFactors: 'contributing_factors',
  wentWell: 'went_well',
  wentBadly: 'went_badly',
  lessons: 'lessons',
};
