-- Renders that follow probe results are paced per incident: the writer looks up the latest render
-- scheduled for the incident, so the index carries run_at. It replaces (incident_id, kind), whose
-- uses it covers.
CREATE INDEX outbox_incident_kind_run ON outbox (incident_id, kind, run_at);
DROP INDEX outbox_incident_kind;
