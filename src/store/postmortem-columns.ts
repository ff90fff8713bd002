/**
 * A post-mortem's cause category as people read it: "n/a" when they said no category fits (kept
 * as a flag, so reports count the cause under none), else the slug or null. `m` is postmortems.
 */
export const CAUSE_CATEGORY_SHOWN = `CASE WHEN m.cause_category_na THEN 'n/a' ELSE m.cause_category END`;
