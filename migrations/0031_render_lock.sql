-- A render's lock and the reads that must follow it, one round trip each instead of two.
--
-- A render takes the incident's advisory render lock, then reads the chat_refs it holds; when it
-- is done it lets go, then reads the incident's version to know whether a render that stepped
-- aside meanwhile left it something to show. Each read must come after its lock step: a plain
-- statement reads as of its own start, so a read in the same statement as the lock could miss a
-- ref committed while it waited, or a change committed just before another render stepped aside.
-- A VOLATILE function's statements each take a snapshot of their own, so these do both steps in
-- order, in one call.

-- The refs of the incident on the platform as a JSON array, once the lock is held; NULL when
-- `wait` is false and another render holds it.
CREATE FUNCTION render_lock(incident uuid, on_platform text, wait boolean) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  refs jsonb;
BEGIN
  IF wait THEN
    PERFORM pg_advisory_lock(hashtext('incident-bot:render:' || incident));
  ELSIF NOT pg_try_advisory_lock(hashtext('incident-bot:render:' || incident)) THEN
    RETURN NULL;
  END IF;
  SELECT COALESCE(jsonb_agg(jsonb_build_object('kind', r.kind, 'page', r.page, 'channelId', r.channel_id, 'messageRef', r.message_ref,
                                              'renderedVersion', r.rendered_version, 'renderedHash', r.rendered_hash) ORDER BY r.kind, r.page), '[]')
    INTO refs
  FROM chat_refs r WHERE r.incident_id = incident AND r.platform = on_platform;
  RETURN refs;
END $$;

-- Lets go of the lock, then returns the incident's version as it is now (0 if it is gone).
CREATE FUNCTION render_unlock(incident uuid) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v integer;
BEGIN
  IF NOT pg_advisory_unlock(hashtext('incident-bot:render:' || incident)) THEN
    RAISE EXCEPTION 'render lock of % was not held', incident;
  END IF;
  SELECT version INTO v FROM incidents WHERE id = incident;
  RETURN COALESCE(v, 0);
END $$;
