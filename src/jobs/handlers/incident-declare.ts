import { declareAccepted } from '../../core/incident/accept-declare';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/**
 * A declare recorded before the ack that the process which recorded it did not make (it failed
 * there, or the process died): made here. If it was made after all, this finds its incident.
 */
export const incidentDeclare =
  ({ deps }: HandlerDeps): Handler<'incident.declare'> =>
  async (p) => {
    await declareAccepted(deps, p);
  };
