-- A step is open or done. 'skipped' was allowed from the start but nothing ever wrote it.
ALTER TABLE checklist_steps DROP CONSTRAINT checklist_steps_state_check;
ALTER TABLE checklist_steps ADD CONSTRAINT checklist_steps_state_check CHECK (state IN ('open', 'done'));
