-- A post-mortem that analyses: what people write about the incident, beside the timeline the bot
-- renders. Null until written; "n/a" is a value someone chose, so publishing can tell the two apart.
-- The cause category is a short slug (storage-keys-rotated) so the report can count recurrence by
-- cause, not only by symptom class: two PDF incidents with different causes do not "recur".
ALTER TABLE postmortems
  ADD COLUMN impact_summary       text,
  ADD COLUMN root_cause           text,
  ADD COLUMN contributing_factors text,
  ADD COLUMN went_well            text,
  ADD COLUMN went_badly           text,
  ADD COLUMN lessons              text,
  ADD COLUMN cause_category       text CHECK (cause_category ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(cause_category) <= 64),
  ADD COLUMN analysis_updated_at  timestamptz,
  ADD COLUMN analysis_updated_by  text;
CREATE INDEX postmortems_cause_category ON postmortems (cause_category) WHERE cause_category IS NOT NULL;
