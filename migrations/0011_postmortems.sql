-- Post-mortems after major incidents, and their action items until they are done.

-- One per incident: draft → in_review → published, closed once published with every item done.
CREATE TABLE postmortems (
  incident_id  uuid PRIMARY KEY REFERENCES incidents (id),
  status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_review', 'published', 'closed')),
  owner        text,
  due_on       date NOT NULL,
  opened_at    timestamptz NOT NULL,
  opened_by    text NOT NULL,
  reviewed_at  timestamptz,
  published_at timestamptz,
  closed_at    timestamptz,
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX postmortems_open_by_owner ON postmortems (owner) WHERE status <> 'closed';

-- Numbered per incident (1, 2, …), as people name them: `action done 2`.
CREATE TABLE action_items (
  incident_id uuid NOT NULL REFERENCES incidents (id),
  number      integer NOT NULL CHECK (number > 0),
  text        text NOT NULL,
  owner       text,
  due_on      date,
  created_at  timestamptz NOT NULL,
  created_by  text NOT NULL,
  closed_at   timestamptz,
  closed_by   text,
  PRIMARY KEY (incident_id, number),
  CHECK ((closed_at IS NULL) = (closed_by IS NULL))
);
CREATE INDEX action_items_open_by_owner ON action_items (owner) WHERE closed_at IS NULL;
CREATE INDEX action_items_open_by_due ON action_items (due_on) WHERE closed_at IS NULL;

-- The once-a-day guard of overdue reminders: whoever inserts the row sends that day's reminder.
CREATE TABLE action_reminders (
  incident_id uuid NOT NULL,
  number      integer NOT NULL,
  day         date NOT NULL,
  claimed_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz,
  PRIMARY KEY (incident_id, number, day),
  FOREIGN KEY (incident_id, number) REFERENCES action_items (incident_id, number)
);

-- The follow-up message (post-mortem and action items) is rendered from stored state like the others.
ALTER TABLE chat_refs DROP CONSTRAINT chat_refs_kind_check;
ALTER TABLE chat_refs ADD CONSTRAINT chat_refs_kind_check CHECK (kind IN ('header', 'checklist', 'followup'));
