-- Every probe run: queued with the event that asked for it, finished with its result. The result
-- is evidence for the timeline (probe.finished events) and for the checklist's last result.
CREATE TABLE probe_runs (
  id            uuid PRIMARY KEY,
  incident_id   uuid NOT NULL REFERENCES incidents (id),
  probe_id      text NOT NULL,
  status        text NOT NULL CHECK (status IN ('queued', 'pass', 'fail', 'error')),
  reason        text,
  detail        jsonb NOT NULL DEFAULT '{}',
  requested_by  text NOT NULL,
  queued_at     timestamptz NOT NULL,
  started_at    timestamptz,
  finished_at   timestamptz,
  duration_ms   integer,
  CONSTRAINT finished_has_result CHECK ((status = 'queued') = (finished_at IS NULL))
);
CREATE INDEX probe_runs_latest ON probe_runs (incident_id, probe_id, queued_at DESC);
