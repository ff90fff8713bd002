-- The platform's id for the request that declared an incident (Slack: team and trigger_id), so a
-- retried or replayed declare finds the incident it already made instead of making another.
ALTER TABLE incidents ADD COLUMN request_key text;
CREATE UNIQUE INDEX incidents_request_key ON incidents (platform, request_key) WHERE request_key IS NOT NULL;
