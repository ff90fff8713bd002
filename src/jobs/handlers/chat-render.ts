import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/** Brings the incident's header and checklist up to date with stored state. */
export const chatRender =
  ({ platformOf }: Pick<HandlerDeps, 'platformOf'>): Handler<'chat.render'> =>
  (p, attempt) =>
    platformOf(p.platform).render(p.incidentId, attempt);
