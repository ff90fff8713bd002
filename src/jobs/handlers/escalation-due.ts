import { checkEscalationDue } from '../../core/incident/escalation';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/** Level n of the on-call ladder is due: whether it fires is decided now. */
export const escalationDue =
  ({ deps }: HandlerDeps): Handler<'escalation.due'> =>
  async (p) => {
    await checkEscalationDue(deps, p.incidentId, p.level);
  };
