-- The once-a-day guard of overdue post-mortem reminders, as action_reminders is for items:
-- whoever inserts the (incident, day) row sends that day's reminder, however many bots run the job.
CREATE TABLE postmortem_reminders (
  incident_id uuid NOT NULL REFERENCES postmortems (incident_id),
  day         date NOT NULL,
  claimed_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz,
  PRIMARY KEY (incident_id, day)
);
