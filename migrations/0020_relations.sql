-- An incident closed as a duplicate of another stays `cancelled`, so every report that leaves
-- cancels out (MTTR, MTTA, coverage, recurrence) leaves duplicates out too, with no new status for
-- their SQL and CHECKs to learn; `duplicate_of` says which incident it duplicated.
ALTER TABLE incidents ADD COLUMN duplicate_of uuid REFERENCES incidents (id);
ALTER TABLE incidents ADD CONSTRAINT duplicate_is_cancelled CHECK (duplicate_of IS NULL OR status = 'cancelled');
ALTER TABLE incidents ADD CONSTRAINT duplicate_not_itself CHECK (duplicate_of <> id);
-- The header of the original lists its duplicates; the report counts the window's duplicates.
CREATE INDEX incidents_duplicate_of ON incidents (duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE INDEX incidents_duplicates_declared ON incidents (declared_at) WHERE duplicate_of IS NOT NULL;

-- Related incidents: one row per pair, the smaller id first, so linking either way is one relation.
CREATE TABLE incident_links (
  incident_a uuid NOT NULL REFERENCES incidents (id),
  incident_b uuid NOT NULL REFERENCES incidents (id),
  linked_at  timestamptz NOT NULL,
  linked_by  text NOT NULL,
  PRIMARY KEY (incident_a, incident_b),
  CONSTRAINT link_ordered CHECK (incident_a < incident_b)
);
CREATE INDEX incident_links_b ON incident_links (incident_b);
