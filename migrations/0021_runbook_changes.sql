-- Switching runbook keeps one incident: the new runbook's checklist is a new generation of steps
-- beside the old ones, which stay stored (with their runbook) so the old checklist can still be
-- shown, read-only, with who did what. Generation 1 is the checklist of the declare.
ALTER TABLE incidents ADD COLUMN checklist_generation integer NOT NULL DEFAULT 1;

ALTER TABLE checklist_steps ADD COLUMN generation integer NOT NULL DEFAULT 1;
ALTER TABLE checklist_steps ADD COLUMN runbook_id text;
UPDATE checklist_steps s SET runbook_id = i.playbook_id FROM incidents i WHERE i.id = s.incident_id;
ALTER TABLE checklist_steps ALTER COLUMN runbook_id SET NOT NULL;

-- Two runbooks share step ids (api-baseline, mitigate …): a step is one generation's.
ALTER TABLE checklist_steps DROP CONSTRAINT checklist_steps_pkey;
ALTER TABLE checklist_steps ADD PRIMARY KEY (incident_id, generation, step_id);
ALTER TABLE checklist_steps DROP CONSTRAINT checklist_steps_incident_id_position_key;
ALTER TABLE checklist_steps ADD CONSTRAINT checklist_steps_position_once UNIQUE (incident_id, generation, position);

-- One row per switch: who moved the incident from which runbook to which, when and why. Row n
-- opened generation n; the unique key makes a second switch decided from the same state a replay.
CREATE TABLE runbook_changes (
  incident_id  uuid NOT NULL REFERENCES incidents (id),
  generation   integer NOT NULL CHECK (generation >= 2),
  from_runbook text NOT NULL,
  to_runbook   text NOT NULL,
  changed_at   timestamptz NOT NULL,
  changed_by   text NOT NULL,
  reason       text,
  PRIMARY KEY (incident_id, generation)
);
