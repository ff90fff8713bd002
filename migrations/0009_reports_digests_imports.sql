-- Incidents brought in from another tool (ServiceNow, a CSV of our columns): counted in reports,
-- never worked in chat. A second import of the same file updates nothing it already holds.
ALTER TABLE incidents ADD COLUMN imported_from text CHECK (imported_from IN ('servicenow', 'csv'));
CREATE UNIQUE INDEX incidents_imported ON incidents (imported_from, external_id) WHERE imported_from IS NOT NULL;

-- Reports read windows of declarations and, for recurrence, each class's recent resolutions.
CREATE INDEX incidents_declared ON incidents (declared_at) WHERE status <> 'cancelled';
CREATE INDEX incidents_class_resolved ON incidents (class, resolved_at) WHERE resolved_at IS NOT NULL;

-- One weekly digest per period and channel, however many bots run: the first to insert posts it.
CREATE TABLE digests (
  period_start  timestamptz NOT NULL,
  channel       text NOT NULL,
  claimed_at    timestamptz NOT NULL DEFAULT now(),
  posted_at     timestamptz,
  message_ref   text,
  PRIMARY KEY (period_start, channel)
);
