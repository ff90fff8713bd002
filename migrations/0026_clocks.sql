-- Clocks that mean what they say (issue 24): each incident keeps the diagnose_within of the runbook
-- that rules it, so the report counts "diagnosed in time" against that incident's own limit, not a
-- fixed 15 minutes. Written at declare and at a runbook switch. The default is the runbook schema's
-- own (15m): imported history and every incident before this migration get it, except those that
-- went overdue, whose `diagnosis.overdue` event recorded the limit they had ('15m', '2s', '1h').
-- Adding a column with a constant default rewrites nothing.
ALTER TABLE incidents
  ADD COLUMN diagnose_within_seconds integer NOT NULL DEFAULT 900 CHECK (diagnose_within_seconds > 0);

UPDATE incidents i
   SET diagnose_within_seconds = o.seconds
  FROM (
    SELECT DISTINCT ON (e.incident_id) e.incident_id,
           (substring(e.data->>'within' FROM '^(\d+)[smh]$'))::int
             * CASE right(e.data->>'within', 1) WHEN 's' THEN 1 WHEN 'm' THEN 60 ELSE 3600 END AS seconds
      FROM incident_events e
     WHERE e.kind = 'diagnosis.overdue' AND e.data->>'within' ~ '^[1-9]\d{0,4}[smh]$'
     ORDER BY e.incident_id, e.at DESC, e.id DESC
  ) o
 WHERE o.incident_id = i.id AND o.seconds <> i.diagnose_within_seconds;

-- Recurrence by cause (the report): the resolutions in [since − 30 days, until), whatever their
-- class, joined to the post-mortems that name a category. Index-only, like incidents_class_resolved.
CREATE INDEX incidents_resolved ON incidents (resolved_at) INCLUDE (id) WHERE resolved_at IS NOT NULL;
-- ... and the categorised post-mortems read index-only, by category with their incident: reading
-- them through 0024's postmortems_cause_category cost three times as much (a heap fetch each).
CREATE INDEX postmortems_cause_incident ON postmortems (cause_category, incident_id) WHERE cause_category IS NOT NULL;
