-- The edge-case hits and notes of one incident, found without reading its other events.
--
-- Every snapshot (incident-store.ts, SNAPSHOT_COLUMNS) lists the incident's edge-case hits and
-- notes, and a click reads one twice: under its change's lock, and for its render. With only
-- (incident_id, id) to go on, each of those lists filtered every event the incident ever had, and
-- every click adds one: measured on one incident after 1,200 clicks, the two lists took 1.0 ms of
-- a 2.8 ms snapshot. These hold only the two kinds, so a list costs what its own rows cost.
CREATE INDEX incident_events_edge_cases ON incident_events (incident_id) WHERE kind = 'edge_case.hit';
CREATE INDEX incident_events_notes ON incident_events (incident_id) WHERE kind = 'note.added';
