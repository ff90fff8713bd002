-- The platform's id of each request that changed an incident (a Slack trigger_id or action_ts, a
-- Teams activity id, a console form's id). A replay of a request finds its key here and writes
-- nothing, whatever the command: a second escalate must not page the next level.
CREATE TABLE request_keys (
  incident_id uuid NOT NULL REFERENCES incidents (id),
  key         text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, key)
);
