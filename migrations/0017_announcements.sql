-- The announcement: one message per incident in the announce channel (INCIDENT_ANNOUNCE_CHANNEL,
-- TEAMS_ANNOUNCE_CHANNEL_ID), rendered from stored state and updated in place like the others.
ALTER TABLE chat_refs DROP CONSTRAINT chat_refs_kind_check;
ALTER TABLE chat_refs ADD CONSTRAINT chat_refs_kind_check CHECK (kind IN ('header', 'checklist', 'followup', 'announcement'));
