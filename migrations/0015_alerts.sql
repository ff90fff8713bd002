-- Alerts in (issue 22): the moment impact began, as the alert said, beside the declaration.
ALTER TABLE incidents ADD COLUMN impact_started_at timestamptz;

-- One row per alert source and fingerprint. `generation` counts the incidents it opened: the next
-- firing after its incident closed opens generation + 1, and the declare's request key
-- (alert:<source>:<fingerprint>:<generation>) makes two bots, or a retried webhook, open one.
-- `incident_id` is null while the alert matches no runbook (unrouted; `unrouted_posted_at` says
-- whether it was offered in chat yet).
CREATE TABLE alerts (
  source             text NOT NULL,
  fingerprint        text NOT NULL,
  generation         integer NOT NULL DEFAULT 0,
  incident_id        uuid REFERENCES incidents (id),
  title              text NOT NULL,
  labels             jsonb NOT NULL DEFAULT '{}',
  url                text,
  starts_at          timestamptz,
  status             text NOT NULL CHECK (status IN ('firing', 'resolved')),
  repeats            integer NOT NULL DEFAULT 0,
  received_at        timestamptz NOT NULL DEFAULT now(),
  unrouted_posted_at timestamptz,
  PRIMARY KEY (source, fingerprint)
);
