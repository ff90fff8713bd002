-- Microsoft Teams: who people are, where the bot can speak, and messages said once.

-- People as Teams shows them. Incidents name a Teams user by their Entra object id (stable, and
-- what TEAMS_ADMINS lists); mentions and 1:1 chats need the 29:… id, cards need the name.
CREATE TABLE teams_people (
  aad_object_id text PRIMARY KEY,
  teams_id      text NOT NULL,
  name          text NOT NULL,
  tenant_id     text,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Bot Framework conversation references, to speak first (re-renders, escalations, the digest).
-- One row per conversation the bot has heard from or opened; team_id finds a team's service URL.
CREATE TABLE teams_conversations (
  conversation_id text PRIMARY KEY,
  tenant_id       text,
  team_id         text,
  reference       jsonb NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX teams_conversations_tenant ON teams_conversations (tenant_id, updated_at DESC);

-- A message said in an incident's room under a key: claimed before it is sent, its id recorded
-- after. Platforms that can search their history (Slack) do not need it.
CREATE TABLE chat_posts (
  incident_id uuid NOT NULL REFERENCES incidents (id),
  platform    text NOT NULL,
  key         text NOT NULL,
  message_ref text,
  claimed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, platform, key)
);
