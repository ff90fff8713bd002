-- Incidents, their append-only timeline, checklist state, chat references and the job outbox.
-- Unqualified names: the runner sets search_path, so a test can migrate its own schema.

CREATE TABLE incidents (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  playbook_id     text NOT NULL,
  class           text NOT NULL,
  title           text NOT NULL,
  severity        smallint NOT NULL CHECK (severity BETWEEN 1 AND 4),
  status          text NOT NULL CHECK (status IN ('declared', 'acknowledged', 'mitigated', 'resolved', 'cancelled')),
  platform        text NOT NULL,
  workspace       text,
  channel_id      text,
  declared_by     text NOT NULL,
  commander       text,
  summary         text,
  resolution      text,
  external_id     text,
  declared_at     timestamptz NOT NULL,
  acknowledged_at timestamptz,
  diagnosed_at    timestamptz,
  mitigated_at    timestamptz,
  resolved_at     timestamptz,
  cancelled_at    timestamptz,
  -- Bumped by every change; renderers compare it with what a message last showed.
  version         integer NOT NULL DEFAULT 1,
  -- Milestones never go backwards: each is at or after declaration and after the ones before it.
  CONSTRAINT milestones_in_order CHECK (
        acknowledged_at >= declared_at
    AND diagnosed_at >= declared_at
    AND mitigated_at >= COALESCE(acknowledged_at, declared_at)
    AND resolved_at >= GREATEST(declared_at, acknowledged_at, mitigated_at)
    AND cancelled_at >= declared_at
  ),
  CONSTRAINT resolved_has_time CHECK ((status = 'resolved') = (resolved_at IS NOT NULL)),
  CONSTRAINT cancelled_has_time CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
  CONSTRAINT not_both_ended CHECK (resolved_at IS NULL OR cancelled_at IS NULL)
);
CREATE UNIQUE INDEX incidents_channel ON incidents (platform, channel_id) WHERE channel_id IS NOT NULL;
CREATE INDEX incidents_open ON incidents (platform, workspace) WHERE status NOT IN ('resolved', 'cancelled');
CREATE INDEX incidents_class_declared ON incidents (class, declared_at);

CREATE TABLE incident_events (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id     uuid NOT NULL REFERENCES incidents (id),
  at              timestamptz NOT NULL,
  actor           text NOT NULL,
  kind            text NOT NULL CHECK (kind ~ '^[a-z_]+(\.[a-z_]+)+$'),
  data            jsonb NOT NULL DEFAULT '{}',
  idempotency_key text NOT NULL UNIQUE
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);

-- The timeline is evidence for MTTR: refuse edits at the database, not only in code.
CREATE FUNCTION incident_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'incident_events is append-only';
END $$;
CREATE TRIGGER incident_events_no_update BEFORE UPDATE OR DELETE ON incident_events
  FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();

CREATE TABLE checklist_steps (
  incident_id uuid NOT NULL REFERENCES incidents (id),
  step_id     text NOT NULL,
  position    integer NOT NULL,
  title       text NOT NULL,
  state       text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'skipped')),
  changed_by  text,
  changed_at  timestamptz,
  PRIMARY KEY (incident_id, step_id),
  UNIQUE (incident_id, position)
);

-- Where each rendered message lives, so it can be re-rendered from state.
CREATE TABLE chat_refs (
  incident_id      uuid NOT NULL REFERENCES incidents (id),
  kind             text NOT NULL CHECK (kind IN ('header', 'checklist')),
  page             integer NOT NULL DEFAULT 0,
  platform         text NOT NULL,
  channel_id       text NOT NULL,
  message_ref      text NOT NULL,
  rendered_version integer NOT NULL,
  PRIMARY KEY (incident_id, kind, page)
);

-- Jobs written in the same transaction as the state they follow from; a relay moves them to BullMQ.
CREATE TABLE outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id uuid REFERENCES incidents (id),
  kind        text NOT NULL,
  payload     jsonb NOT NULL DEFAULT '{}',
  dedupe_key  text NOT NULL UNIQUE,
  run_at      timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  relayed_at  timestamptz
);
CREATE INDEX outbox_pending ON outbox (id) WHERE relayed_at IS NULL;
