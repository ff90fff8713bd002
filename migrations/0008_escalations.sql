-- Every escalation level that fired, with when, why and to whom. A level fires once per incident
-- whatever the number of bots: the unique key is what enforces it.
CREATE TABLE escalations (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id   uuid NOT NULL REFERENCES incidents (id),
  level         integer NOT NULL CHECK (level >= 1),
  targets       jsonb NOT NULL,
  reason        text NOT NULL CHECK (reason IN ('timeout', 'manual')),
  escalated_at  timestamptz NOT NULL,
  -- Who escalated by hand, and what they said; both empty for a level that timed out.
  escalated_by  text,
  note          text,
  CONSTRAINT escalations_once UNIQUE (incident_id, level),
  CONSTRAINT escalations_manual_by CHECK ((reason = 'manual') = (escalated_by IS NOT NULL))
);
