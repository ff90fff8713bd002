import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/** Brings someone's own page (Slack's App Home) up to date; a platform without one does nothing. */
export const chatHome =
  ({ platformOf }: HandlerDeps): Handler<'chat.home'> =>
  async (p) => {
    await platformOf(p.platform).refreshHome?.(p.workspace, p.userId);
  };
