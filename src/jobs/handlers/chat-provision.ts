import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/** Creates the incident's room on its platform. */
export const chatProvision =
  ({ platformOf }: HandlerDeps): Handler<'chat.provision'> =>
  (p, attempt) =>
    platformOf(p.platform).provision(p.incidentId, p.replyTo, attempt);
