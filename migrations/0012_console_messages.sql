-- What the bot says in an incident's room on the web console (notices, escalations, reminders):
-- the console has no chat service to keep them, so they are kept here, as neutral text.
CREATE TABLE console_messages (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id uuid NOT NULL REFERENCES incidents (id),
  key         text,
  at          timestamptz NOT NULL DEFAULT now(),
  text        jsonb NOT NULL,
  actions     jsonb NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX console_messages_once ON console_messages (incident_id, key) WHERE key IS NOT NULL;
CREATE INDEX console_messages_incident ON console_messages (incident_id, id);
