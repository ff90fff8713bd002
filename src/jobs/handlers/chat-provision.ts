import { escalationChatKey } from '../../core/incident/escalation';
import { similarNoticeKey } from '../../core/incident/similar';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/**
 * Creates the incident's room on its platform. A level-1 page due at declare usually runs first,
 * finds no header yet and waits out a 2 s retry backoff: once the room is set up it is run at once,
 * so the page follows the header instead of seconds later; the similar-incidents notice likewise.
 */
export const chatProvision =
  ({ platformOf, promote }: HandlerDeps): Handler<'chat.provision'> =>
  async (p, attempt) => {
    await platformOf(p.platform).provision(p.incidentId, p.replyTo, attempt);
    await promote('chat.escalate', escalationChatKey(p.incidentId, 1)).catch(() => undefined);
    // Earlier incidents like this one come right under the checklist, not after the fallback delay.
    await promote('chat.notice', similarNoticeKey(p.incidentId)).catch(() => undefined);
  };
