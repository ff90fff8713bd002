-- An outbox row is done when its job finished (or was folded into another), not when it reached
-- Redis: a Redis that restarts without persistence loses the queued job, and the sweep must see that.
ALTER TABLE outbox ADD COLUMN done_at timestamptz;
UPDATE outbox SET done_at = relayed_at WHERE relayed_at IS NOT NULL;
CREATE INDEX outbox_unfinished ON outbox (relayed_at) WHERE relayed_at IS NOT NULL AND done_at IS NULL;
CREATE INDEX outbox_incident_kind ON outbox (incident_id, kind);

-- The room a platform is about to create for an incident, written before the create call, so a
-- setup that crashed after creating it finds and reuses it instead of making a second one.
CREATE TABLE chat_rooms (
  incident_id uuid NOT NULL REFERENCES incidents (id),
  platform    text NOT NULL,
  name        text NOT NULL,
  room_id     text,
  intended_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, platform)
);
