-- A render's in-place updates remembered in the call that lets go of its lock.
--
-- A click's render updates messages already posted, and saved each one's ref (the version and
-- content digest it now shows) in a round trip of its own before letting go (render_unlock, 0031).
-- This overload upserts the refs it is given, then lets go and reads the version, in one call.
--
-- Only updates are deferred to it (store/chat-refs.ts): a message posted is saved at once, so a
-- render that dies after posting never posts it twice. An update whose save is lost (the call never
-- reached Postgres) costs one repeated update, with current content, on the next render.
--
-- The lock is a session lock and lets go at once, while the upserts commit when this statement
-- ends: a render that takes the lock in between reads the older refs and repeats the update, with
-- content at least as new. It never posts twice, since posts are not deferred.
--
-- render_unlock(uuid) stays: a process still running the previous release calls it.
CREATE FUNCTION render_unlock(incident uuid, on_platform text, refs jsonb) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  INSERT INTO chat_refs (incident_id, kind, page, platform, channel_id, message_ref, rendered_version, rendered_hash)
  SELECT incident, r.kind, r.page, on_platform, r."channelId", r."messageRef", r."renderedVersion", r."renderedHash"
  FROM jsonb_to_recordset(refs) AS r(kind text, page int, "channelId" text, "messageRef" text, "renderedVersion" int, "renderedHash" text)
  ON CONFLICT (incident_id, kind, page) DO UPDATE
    SET message_ref = EXCLUDED.message_ref, rendered_version = EXCLUDED.rendered_version, rendered_hash = EXCLUDED.rendered_hash;
  RETURN render_unlock(incident);
END $$;
