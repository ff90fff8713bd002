import { checkDiagnosisDue } from '../../core/incident/diagnosis';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/** The runbook's diagnose_within has passed: whether anyone is told is decided now. */
export const incidentDiagnosisDue =
  ({ deps }: HandlerDeps): Handler<'incident.diagnosis_due'> =>
  async (p) => {
    await checkDiagnosisDue(deps, p.incidentId, p.generation);
  };
