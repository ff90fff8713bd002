-- What the KPI report needs over long windows, kept when it is known (src/store/reports.ts):
--  1. recurrence per incident, decided when a declaration, a resolution or a class changes;
--  2. per-month rollups, rebuilt by the report for the months marked dirty since it last ran.
-- Nothing here runs for a click's version bump: the row triggers name their columns and compare
-- them, and the marks are plain appends (no shared row, no lock another writer waits on).

-- Same class resolved in [declared − 30 d, declared). Cancelled incidents never have resolved_at.
-- Known gap: a declaration and a resolution of its class timed just before it, in transactions in
-- flight at the same moment, do not see each other, and the declaration keeps false. Closing it
-- takes a lock both would share, which no write here takes; the next change that touches either
-- (a class, a resolution moved) decides it again.
ALTER TABLE incidents ADD COLUMN recurs boolean NOT NULL DEFAULT false;

-- Months (UTC) whose rollups no longer match the incidents. Appended, never updated: two writers
-- never wait on each other; the report deletes the marks it rebuilds.
CREATE TABLE report_dirty (month timestamptz NOT NULL);
CREATE INDEX report_dirty_month ON report_dirty (month);

-- The month of a declaration, and the months a resolution at `r` reaches for recurrence by cause,
-- (r, r + 30 d] (up to three: January 31 + 30 d is in March).
CREATE FUNCTION report_month(at timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
  SELECT date_trunc('month', at, 'UTC')
$$;
CREATE FUNCTION report_reach(r timestamptz) RETURNS SETOF timestamptz LANGUAGE sql IMMUTABLE AS $$
  SELECT generate_series(report_month(r), report_month(r + interval '30 days'), interval '1 month') WHERE r IS NOT NULL
$$;

-- Decides `recurs` for the incidents `ids` and for the declarations a resolution of `classes`
-- between `froms` and `tos` can reach: (from, to + 30 d]. One span per class keeps an import of
-- years of history to one range scan per class instead of one per resolution. The candidates and
-- their classes' resolutions are merged into one timeline per class and the latest resolution
-- before each declaration is a running max (a resolution at the very instant of a declaration
-- sorts after it, as [d − 30 d, d) leaves it out): one sort whatever the batch, where a probe per
-- declaration planned on an empty table's statistics (a first import) scanned the table each time.
CREATE FUNCTION incident_recurs_refresh(ids uuid[], classes text[], froms timestamptz[], tos timestamptz[]) RETURNS void
LANGUAGE sql AS $$
  WITH cand AS (
    SELECT i.id, i.class, i.declared_at FROM unnest(ids) u(id) JOIN incidents i ON i.id = u.id
    UNION
    SELECT i.id, i.class, i.declared_at
    FROM unnest(classes, froms, tos) s(class, f, t)
    JOIN incidents i ON i.class = s.class AND i.declared_at > s.f AND i.declared_at <= s.t + interval '30 days'
  ),
  reach AS (SELECT class, min(declared_at) - interval '30 days' AS lo, max(declared_at) AS hi FROM cand GROUP BY class),
  flags AS (
    SELECT id, kind,
           COALESCE(max(resolved) OVER (PARTITION BY class ORDER BY at, kind ROWS UNBOUNDED PRECEDING) >= at - interval '30 days', false) AS recurs
    FROM (
      SELECT id, class COLLATE "C" AS class, declared_at AS at, 0 AS kind, NULL::timestamptz AS resolved FROM cand
      UNION ALL
      SELECT NULL, e.class COLLATE "C", e.resolved_at, 1, e.resolved_at
      FROM reach r JOIN incidents e ON e.class = r.class AND e.resolved_at >= r.lo AND e.resolved_at < r.hi
    ) t
  ),
  flipped AS (
    UPDATE incidents d SET recurs = f.recurs
    FROM flags f
    WHERE f.kind = 0 AND d.id = f.id AND d.recurs IS DISTINCT FROM f.recurs
    RETURNING d.declared_at
  )
  -- Marked here, once per month, rather than by a row trigger on `recurs`: an import flips a flag per row.
  INSERT INTO report_dirty (month) SELECT DISTINCT report_month(declared_at) FROM flipped
$$;

CREATE FUNCTION incidents_recurs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM incident_recurs_refresh(
    ARRAY(SELECT id FROM new_rows),
    s.classes, s.froms, s.tos)
  FROM (SELECT COALESCE(array_agg(class), '{}') AS classes, COALESCE(array_agg(f), '{}') AS froms, COALESCE(array_agg(t), '{}') AS tos
        FROM (SELECT class, min(resolved_at) AS f, max(resolved_at) AS t FROM new_rows WHERE resolved_at IS NOT NULL GROUP BY class) g) s;
  RETURN NULL;
END $$;

CREATE FUNCTION incidents_recurs_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM incident_recurs_refresh('{}', s.classes, s.froms, s.tos)
  FROM (SELECT COALESCE(array_agg(class), '{}') AS classes, COALESCE(array_agg(f), '{}') AS froms, COALESCE(array_agg(t), '{}') AS tos
        FROM (SELECT class, min(resolved_at) AS f, max(resolved_at) AS t FROM old_rows WHERE resolved_at IS NOT NULL GROUP BY class) g) s;
  RETURN NULL;
END $$;

-- A resolution set, cleared or moved, a class or a declaration time changed: the incident itself
-- and the declarations its old and new resolution reach.
CREATE FUNCTION incidents_recurs_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM incident_recurs_refresh(
    ARRAY[NEW.id],
    ARRAY(SELECT c FROM (VALUES (OLD.class, OLD.resolved_at), (NEW.class, NEW.resolved_at)) v(c, r) WHERE r IS NOT NULL),
    ARRAY(SELECT r FROM (VALUES (OLD.class, OLD.resolved_at), (NEW.class, NEW.resolved_at)) v(c, r) WHERE r IS NOT NULL),
    ARRAY(SELECT r FROM (VALUES (OLD.class, OLD.resolved_at), (NEW.class, NEW.resolved_at)) v(c, r) WHERE r IS NOT NULL));
  RETURN NULL;
END $$;

CREATE TRIGGER incidents_recurs_on_insert AFTER INSERT ON incidents
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_recurs_inserted();
CREATE TRIGGER incidents_recurs_on_delete AFTER DELETE ON incidents
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_recurs_deleted();
CREATE TRIGGER incidents_recurs_on_update AFTER UPDATE OF declared_at, resolved_at, class ON incidents
  FOR EACH ROW
  WHEN ((OLD.declared_at, OLD.resolved_at, OLD.class) IS DISTINCT FROM (NEW.declared_at, NEW.resolved_at, NEW.class))
  EXECUTE FUNCTION incidents_recurs_updated();

CREATE FUNCTION report_mark_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO report_dirty (month)
    SELECT DISTINCT report_month(declared_at) FROM old_rows
    UNION SELECT report_reach(r) FROM (SELECT DISTINCT date_trunc('day', resolved_at, 'UTC') AS r FROM old_rows) x;
  ELSE
    INSERT INTO report_dirty (month)
    SELECT DISTINCT report_month(declared_at) FROM new_rows
    UNION SELECT report_reach(r) FROM (SELECT DISTINCT date_trunc('day', resolved_at, 'UTC') AS r FROM new_rows) x;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION report_mark_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty (month)
  SELECT report_month(OLD.declared_at) UNION SELECT report_month(NEW.declared_at)
  UNION SELECT report_reach(OLD.resolved_at) WHERE OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.class IS DISTINCT FROM NEW.class
  UNION SELECT report_reach(NEW.resolved_at) WHERE OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.class IS DISTINCT FROM NEW.class;
  RETURN NULL;
END $$;

CREATE TRIGGER report_mark_on_insert AFTER INSERT ON incidents
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_rows();
CREATE TRIGGER report_mark_on_delete AFTER DELETE ON incidents
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_rows();
-- Every column a figure reads (a flipped `recurs` is marked by incident_recurs_refresh).
CREATE TRIGGER report_mark_on_update AFTER UPDATE OF declared_at, resolved_at, class, severity, status, acknowledged_at,
    acknowledged_via, diagnosed_at, mitigated_at, impact_started_at, diagnose_within_seconds, imported_from,
    validation_confirmed ON incidents
  FOR EACH ROW
  WHEN ((OLD.declared_at, OLD.resolved_at, OLD.class, OLD.severity, OLD.status, OLD.acknowledged_at, OLD.acknowledged_via,
         OLD.diagnosed_at, OLD.mitigated_at, OLD.impact_started_at, OLD.diagnose_within_seconds, OLD.imported_from,
         OLD.validation_confirmed)
        IS DISTINCT FROM
        (NEW.declared_at, NEW.resolved_at, NEW.class, NEW.severity, NEW.status, NEW.acknowledged_at, NEW.acknowledged_via,
         NEW.diagnosed_at, NEW.mitigated_at, NEW.impact_started_at, NEW.diagnose_within_seconds, NEW.imported_from,
         NEW.validation_confirmed))
  EXECUTE FUNCTION report_mark_row();

-- A post-mortem's figures land in its incident's month; its cause category also in the months its
-- incident's resolution reaches (recurrence by cause).
CREATE FUNCTION report_mark_postmortems() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty (month)
  SELECT DISTINCT report_month(i.declared_at) FROM old_rows p JOIN incidents i ON i.id = p.incident_id
  UNION SELECT report_reach(r) FROM (SELECT DISTINCT date_trunc('day', i.resolved_at, 'UTC') AS r
                                     FROM old_rows p JOIN incidents i ON i.id = p.incident_id WHERE p.cause_category IS NOT NULL) x;
  RETURN NULL;
END $$;

-- On INSERT, OLD is null: the new row's month, and its reach when it names a category.
CREATE FUNCTION report_mark_postmortem() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty (month)
  SELECT report_month(i.declared_at) FROM incidents i WHERE i.id IN (OLD.incident_id, NEW.incident_id)
  UNION SELECT report_reach(i.resolved_at) FROM incidents i
        WHERE i.id IN (OLD.incident_id, NEW.incident_id) AND OLD.cause_category IS DISTINCT FROM NEW.cause_category;
  RETURN NULL;
END $$;

-- Row-level: a click's statement carries an INSERT INTO postmortems that inserts nothing, and a
-- statement trigger would run for it.
CREATE TRIGGER report_mark_on_postmortem_insert AFTER INSERT ON postmortems
  FOR EACH ROW EXECUTE FUNCTION report_mark_postmortem();
CREATE TRIGGER report_mark_on_postmortem_delete AFTER DELETE ON postmortems
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_postmortems();
CREATE TRIGGER report_mark_on_postmortem_update AFTER UPDATE OF incident_id, status, closed_at, cause_category ON postmortems
  FOR EACH ROW
  WHEN ((OLD.incident_id, OLD.status, OLD.closed_at, OLD.cause_category) IS DISTINCT FROM (NEW.incident_id, NEW.status, NEW.closed_at, NEW.cause_category))
  EXECUTE FUNCTION report_mark_postmortem();

-- Sums and counts of one month's incidents per class and severity: every count, mean and rate of
-- the report adds up from them exactly.
CREATE TABLE report_months (
  month          timestamptz NOT NULL,
  class          text NOT NULL,
  severity       smallint NOT NULL,
  incidents      int NOT NULL,
  resolved       int NOT NULL,
  ttr_sum        float8,
  ttr_impact_n   int NOT NULL,
  ttr_impact_sum float8,
  tta_n          int NOT NULL,
  tta_sum        float8,
  ttd_n          int NOT NULL,
  ttd_sum        float8,
  ttm_n          int NOT NULL,
  ttm_sum        float8,
  ttdiag_n       int NOT NULL,
  ttdiag_sum     float8,
  quick          int NOT NULL,
  on_time        int NOT NULL,
  validated_n    int NOT NULL,
  validated      int NOT NULL,
  recurs         int NOT NULL,
  pm_major       int NOT NULL,
  pm_closed      int NOT NULL,
  pm_close_n     int NOT NULL,
  pm_close_sum   float8,
  with_cause     int NOT NULL,
  recurs_cause   int NOT NULL
);
CREATE INDEX report_months_month ON report_months (month);

-- Durations for the percentiles, by log-scale bucket: bucket b ≥ 1 holds [1.02^(b−1), 1.02^b)
-- seconds, and stands for 1.02^(b−½), within 1 % of any value in it; under a second is bucket 0
-- (0 s), negative durations mirror the positive ones. dim 1 is a class, 2 a severity; metric 1 MTTR,
-- 2 MTTR from impact start, 3 time to mitigate, 4 time to diagnose.
CREATE FUNCTION report_bucket(x float8) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN abs(x) < 1 THEN 0 ELSE (sign(x) * (floor(ln(abs(x)) / ln(1.02)) + 1))::int END
$$;
CREATE FUNCTION report_bucket_value(b int) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN b = 0 THEN 0 ELSE sign(b) * power(1.02::float8, abs(b) - 0.5) END
$$;

CREATE TABLE report_month_buckets (
  month  timestamptz NOT NULL,
  dim    smallint NOT NULL,
  key    text NOT NULL,
  metric smallint NOT NULL,
  bucket int NOT NULL,
  n      int NOT NULL
);
CREATE INDEX report_month_buckets_month ON report_month_buckets (month);

-- The buckets of every month before `until_month`, kept for the months windows start and end at:
-- a window's whole months are then one set minus another, whatever their number.
CREATE TABLE report_cum_sets (until_month timestamptz PRIMARY KEY, used_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE report_cum_buckets (
  until_month timestamptz NOT NULL REFERENCES report_cum_sets ON DELETE CASCADE,
  dim         smallint NOT NULL,
  key         text NOT NULL,
  metric      smallint NOT NULL,
  bucket      int NOT NULL,
  n           bigint NOT NULL,
  PRIMARY KEY (until_month, dim, key, metric, bucket)
);

-- History stored before this migration: flags now, rollups on the first report that needs them.
SELECT incident_recurs_refresh('{}', ARRAY(SELECT DISTINCT class FROM incidents),
                               ARRAY(SELECT '-infinity'::timestamptz FROM (SELECT DISTINCT class FROM incidents) c),
                               ARRAY(SELECT 'infinity'::timestamptz FROM (SELECT DISTINCT class FROM incidents) c));
INSERT INTO report_dirty (month) SELECT DISTINCT report_month(declared_at) FROM incidents;
