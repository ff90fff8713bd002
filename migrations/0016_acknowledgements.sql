-- Acknowledging means a responder took the incident (the Acknowledge button, /incident ack, or the
-- on-call declaring their own incident). Until now the first action of any kind (a ticked step, a
-- severity change, mitigate …) also acknowledged it. Those acknowledgements stay in history, marked
-- by how they were made, and MTTA leaves them out.
ALTER TABLE incidents ADD COLUMN acknowledged_via text;

UPDATE incidents i SET acknowledged_via = e.data->>'via'
FROM incident_events e
WHERE e.incident_id = i.id AND e.kind = 'incident.acknowledged' AND i.acknowledged_at IS NOT NULL;

-- Imported history's acknowledgements came from the source system: a responder took them.
UPDATE incidents SET acknowledged_via = 'import' WHERE acknowledged_at IS NOT NULL AND acknowledged_via IS NULL AND imported_from IS NOT NULL;

-- Mitigating no longer acknowledges, so a responder may acknowledge a mitigated incident: the
-- acknowledgement may come after mitigation.
ALTER TABLE incidents DROP CONSTRAINT milestones_in_order;
ALTER TABLE incidents ADD CONSTRAINT milestones_in_order CHECK (
      acknowledged_at >= declared_at
  AND diagnosed_at >= declared_at
  AND mitigated_at >= declared_at
  AND resolved_at >= GREATEST(declared_at, acknowledged_at, mitigated_at)
  AND cancelled_at >= declared_at
);

-- Raising the severity to a paging level fires the level due, by the person who raised it.
ALTER TABLE escalations DROP CONSTRAINT escalations_reason_check;
ALTER TABLE escalations ADD CONSTRAINT escalations_reason_check CHECK (reason IN ('timeout', 'manual', 'severity'));
ALTER TABLE escalations DROP CONSTRAINT escalations_manual_by;
ALTER TABLE escalations ADD CONSTRAINT escalations_manual_by CHECK ((reason IN ('manual', 'severity')) = (escalated_by IS NOT NULL));
