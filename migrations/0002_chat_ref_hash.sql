-- What each message last showed, so a render skips chat.update when the content is unchanged
-- (one click should not spend Slack's rate limit on every page of a long checklist).
ALTER TABLE chat_refs ADD COLUMN rendered_hash text;
