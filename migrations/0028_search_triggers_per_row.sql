-- The search document's triggers, narrowed so that a click pays nothing for them.
--
-- A click bumps its incident's version and adds a step event. Neither touches what is searched,
-- yet 0027's statement-level triggers ran on both: each built its transition tables and called
-- plpgsql to find out there was nothing to do. Row triggers with a column list and a WHEN
-- condition are skipped by the executor itself. The importer writes incidents in batches (its
-- insert trigger stays per statement) and never writes the events that feed the document, so
-- going per row costs it nothing.

DROP TRIGGER incident_search_on_update ON incidents;
DROP FUNCTION incident_search_incidents_updated();
DROP TRIGGER incident_search_on_event ON incident_events;
DROP FUNCTION incident_search_events_inserted();

CREATE FUNCTION incident_search_incident_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM incident_search_refresh(ARRAY[NEW.id]);
  RETURN NULL;
END $$;

CREATE FUNCTION incident_search_event_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM incident_search_refresh(ARRAY[NEW.incident_id]);
  RETURN NULL;
END $$;

CREATE TRIGGER incident_search_on_update
  AFTER UPDATE OF title, summary, resolution, class, status, platform, workspace, declared_at ON incidents
  FOR EACH ROW
  WHEN ((NEW.title, NEW.summary, NEW.resolution, NEW.class, NEW.status, NEW.platform, NEW.workspace, NEW.declared_at)
        IS DISTINCT FROM (OLD.title, OLD.summary, OLD.resolution, OLD.class, OLD.status, OLD.platform, OLD.workspace, OLD.declared_at))
  EXECUTE FUNCTION incident_search_incident_changed();

CREATE TRIGGER incident_search_on_event AFTER INSERT ON incident_events
  FOR EACH ROW WHEN (NEW.kind IN ('incident.diagnosed', 'note.added'))
  EXECUTE FUNCTION incident_search_event_added();
