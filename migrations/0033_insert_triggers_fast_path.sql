-- A declare's insert triggers, made cheap for what a declare is: new, unresolved incidents.
--
-- Measured with 20 declares in flight on a quiet 2-core machine, the declare statement took a mean
-- of 30 ms with 0027's and 0029's insert triggers and 15 ms without them, half of it in these two.
-- The ack of every declare waits for that statement, so the triggers were half of what a burst of
-- declares made people wait for. Both stay exact; only the way to the same result is shorter.

-- Recurrence of new incidents none of which is resolved (every declare, and an import batch of
-- open incidents): no new row brings a resolution that could reach another declaration, so each
-- recurs exactly when an incident of its class was resolved in [declared − 30 d, declared), one
-- probe of incidents_class_resolved per row. 0029's incident_recurs_refresh gives the same answer
-- for them, but it is a SQL function with a window over a merged timeline: planned again on every
-- call and sorted, for a single row. A batch with a resolution still takes that path.
CREATE OR REPLACE FUNCTION incidents_recurs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_rows WHERE resolved_at IS NOT NULL) THEN
    WITH flags AS (
      SELECT n.id, EXISTS (
               SELECT 1 FROM incidents e
               WHERE e.class = n.class AND e.resolved_at >= n.declared_at - interval '30 days' AND e.resolved_at < n.declared_at
             ) AS recurs
      FROM new_rows n
    ),
    flipped AS (
      UPDATE incidents d SET recurs = f.recurs
      FROM flags f
      WHERE d.id = f.id AND d.recurs IS DISTINCT FROM f.recurs
      RETURNING d.declared_at
    )
    INSERT INTO report_dirty (month) SELECT DISTINCT report_month(declared_at) FROM flipped;
    RETURN NULL;
  END IF;
  PERFORM incident_recurs_refresh(
    ARRAY(SELECT id FROM new_rows),
    s.classes, s.froms, s.tos)
  FROM (SELECT COALESCE(array_agg(class), '{}') AS classes, COALESCE(array_agg(f), '{}') AS froms, COALESCE(array_agg(t), '{}') AS tos
        FROM (SELECT class, min(resolved_at) AS f, max(resolved_at) AS t FROM new_rows WHERE resolved_at IS NOT NULL GROUP BY class) g) s;
  RETURN NULL;
END $$;

-- The search document of a new incident, from its own row. Nothing else can feed it yet: its
-- events and post-mortem reference it, so they are written in this statement or later, and each
-- has a trigger that rebuilds the whole document (incident_search_refresh). Those may run before
-- this one (then the document is already whole, and it is left as it is) or after (then they
-- overwrite this one). The expression is incident_search_refresh's with no events and no
-- post-mortem, so the document is the same either way. No row lock either: no other transaction
-- can see the incident yet, so none can be refreshing it.
CREATE OR REPLACE FUNCTION incident_search_incidents_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO incident_search AS s (incident_id, platform, workspace, class, status, declared_at, doc)
  SELECT n.id, n.platform, n.workspace, n.class, n.status, n.declared_at,
         setweight(to_tsvector('english', concat_ws(' ', n.title, n.summary)), 'A')
      || setweight(to_tsvector('english', concat_ws(' ', n.resolution)), 'C')
  FROM new_rows n
  ON CONFLICT (incident_id) DO NOTHING;
  RETURN NULL;
END $$;
