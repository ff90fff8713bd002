-- Memory of past incidents: one search document per incident, so a declare can name earlier
-- incidents like it and `/incident search` can find any by a word of its summary, cause,
-- resolution, notes or post-mortem analysis.
--
-- The document is kept by triggers, in the transaction of whatever changed its sources: the
-- incident row (declare, resolve, class, import), the timeline (`incident.diagnosed` with a cause,
-- `note.added`) and the post-mortem's analysis, which code outside the incident store edits.
-- 'english' on purpose: people search for "rotated keys" and wrote "key rotation"; stemming joins
-- them, and identifiers (pdf-404, storage_denied, 403) still come out whole or as their parts.
-- Weights: A title and summary, B the cause (diagnosis, root cause, cause category), C the fix
-- and what people noted, D the rest of the analysis.
CREATE TABLE incident_search (
  incident_id uuid PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
  -- Copies of what every search filters on, so a query reads this table and its indexes only.
  platform    text NOT NULL,
  workspace   text,
  class       text NOT NULL,
  status      text NOT NULL,
  declared_at timestamptz NOT NULL,
  doc         tsvector NOT NULL
);
CREATE INDEX incident_search_doc ON incident_search USING gin (doc);
CREATE INDEX incident_search_declared ON incident_search (declared_at DESC);
CREATE INDEX incident_search_class ON incident_search (class, declared_at DESC) WHERE status = 'resolved';

-- Rebuilds the documents of these incidents from their sources, as they are now.
CREATE FUNCTION incident_search_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- Two transactions refreshing one incident (a note, and a post-mortem edit that did not lock the
  -- incident) must not let the one that read first write last: the second waits here, and the
  -- statement below then reads what the first committed. In id order, so two never deadlock.
  PERFORM 1 FROM incident_search WHERE incident_id = ANY (ids) ORDER BY incident_id FOR UPDATE;
  INSERT INTO incident_search AS s (incident_id, platform, workspace, class, status, declared_at, doc)
  SELECT i.id, i.platform, i.workspace, i.class, i.status, i.declared_at,
         setweight(to_tsvector('english', concat_ws(' ', i.title, i.summary)), 'A')
      || setweight(to_tsvector('english', concat_ws(' ', ev.causes, pm.root_cause, pm.cause_category)), 'B')
      || setweight(to_tsvector('english', concat_ws(' ', i.resolution, ev.notes, pm.impact_summary, pm.contributing_factors)), 'C')
      || setweight(to_tsvector('english', concat_ws(' ', pm.went_well, pm.went_badly, pm.lessons)), 'D')
  FROM incidents i
  LEFT JOIN postmortems pm ON pm.incident_id = i.id
  LEFT JOIN LATERAL (
    SELECT string_agg(e.data ->> 'cause', ' ' ORDER BY e.id) FILTER (WHERE e.kind = 'incident.diagnosed') AS causes,
           string_agg(e.data ->> 'text', ' ' ORDER BY e.id) FILTER (WHERE e.kind = 'note.added') AS notes
    FROM incident_events e
    WHERE e.incident_id = i.id AND e.kind IN ('incident.diagnosed', 'note.added')
  ) ev ON true
  WHERE i.id = ANY (ids)
  ON CONFLICT (incident_id) DO UPDATE
    SET platform = EXCLUDED.platform, workspace = EXCLUDED.workspace, class = EXCLUDED.class,
        status = EXCLUDED.status, declared_at = EXCLUDED.declared_at, doc = EXCLUDED.doc;
END $$;

-- Per statement: an import writes 1,000 incidents in one INSERT, and refreshes them in one go.
CREATE FUNCTION incident_search_incidents_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM incident_search_refresh(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $$;

-- Every change bumps the incident's version; only those that alter what is searched or filtered on refresh.
CREATE FUNCTION incident_search_incidents_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed uuid[];
BEGIN
  SELECT array_agg(n.id) INTO changed
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE (n.title, n.summary, n.resolution, n.class, n.status, n.platform, n.workspace, n.declared_at)
        IS DISTINCT FROM (o.title, o.summary, o.resolution, o.class, o.status, o.platform, o.workspace, o.declared_at);
  IF changed IS NOT NULL THEN
    PERFORM incident_search_refresh(changed);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION incident_search_events_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched uuid[];
BEGIN
  SELECT array_agg(DISTINCT incident_id) INTO touched FROM new_rows WHERE kind IN ('incident.diagnosed', 'note.added');
  IF touched IS NOT NULL THEN
    PERFORM incident_search_refresh(touched);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION incident_search_postmortem_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM incident_search_refresh(ARRAY[NEW.incident_id]);
  RETURN NULL;
END $$;

CREATE TRIGGER incident_search_on_insert AFTER INSERT ON incidents
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_search_incidents_inserted();
CREATE TRIGGER incident_search_on_update AFTER UPDATE ON incidents
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_search_incidents_updated();
CREATE TRIGGER incident_search_on_event AFTER INSERT ON incident_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_search_events_inserted();
CREATE TRIGGER incident_search_on_postmortem_insert AFTER INSERT ON postmortems
  FOR EACH ROW EXECUTE FUNCTION incident_search_postmortem_changed();
CREATE TRIGGER incident_search_on_postmortem_update AFTER UPDATE ON postmortems
  FOR EACH ROW
  WHEN ((NEW.impact_summary, NEW.root_cause, NEW.contributing_factors, NEW.went_well, NEW.went_badly, NEW.lessons, NEW.cause_category)
        IS DISTINCT FROM (OLD.impact_summary, OLD.root_cause, OLD.contributing_factors, OLD.went_well, OLD.went_badly, OLD.lessons, OLD.cause_category))
  EXECUTE FUNCTION incident_search_postmortem_changed();

-- Every incident already stored, imported history included.
SELECT incident_search_refresh(ARRAY(SELECT id FROM incidents));

-- OR of queries: the similar-incidents query matches any word of the new incident's title.
CREATE AGGREGATE incident_search_any(tsquery) (SFUNC = tsquery_or, STYPE = tsquery);
