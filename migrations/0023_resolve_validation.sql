-- Validate, then resolve: which of the runbook's quick_validation checks the resolver confirmed
-- (numbers from 1, as the lists show them), and whether that was all of them. Null for incidents
-- resolved before this, imported ones, and runbooks with no checks; the report counts only the rest.
ALTER TABLE incidents ADD COLUMN validation_confirmed boolean, ADD COLUMN validated_checks int[];
