import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthenticationError } from 'botframework-connector';
import type { Activity } from 'botbuilder';
import { isForwarded, isLoopback, readBody } from '../../http/requests';
import type { Logger } from '../../logger';
import type { TeamsBot } from './bot';
import type { TeamsPlatform } from './platform';

export const TEAMS_MESSAGES_PATH = '/api/messages';

/** Teams' activities are small; a card action is a few KB. */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * POST /api/messages. With an app id, botbuilder checks every request's JWT, and one that does not
 * hold gets 401 before anything is read or recorded. Without one (local no-auth mode, for the Bot
 * Framework Emulator and tests) nothing can be checked, so only this machine may call.
 */
export function teamsEndpoint(platform: TeamsPlatform, bot: TeamsBot, logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void handle(platform, bot, logger, req, res).catch((err: Error) => {
      logger.error({ platform: 'teams', err: err.message }, 'teams request failed');
      answer(res, 500, { error: 'internal error' });
    });
  };
}

async function handle(platform: TeamsPlatform, bot: TeamsBot, logger: Logger, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!platform.adapter.appId && (isForwarded(req) || !isLoopback(req.socket.remoteAddress))) {
    logger.warn({ platform: 'teams', from: req.socket.remoteAddress }, 'refused a Teams request from another machine in local no-auth mode');
    return answer(res, 401, { error: 'This bot runs Teams in local no-auth mode (MICROSOFT_APP_ID is unset) and only answers this machine.' });
  }
  const raw = await readBody(req, MAX_BODY_BYTES);
  if (raw === null) return answer(res, 413, { error: 'request body too large' });
  let activity: Activity;
  try {
    activity = JSON.parse(raw);
  } catch {
    return answer(res, 400, { error: 'the body is not JSON' });
  }
  if (!activity || typeof activity !== 'object' || typeof activity.type !== 'string') return answer(res, 400, { error: 'not an activity: no type' });
  const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
  try {
    const invoke = await platform.adapter.turn(authorization, activity, (ctx) => bot.onTurn(ctx));
    answer(res, invoke?.status ?? 200, invoke?.body);
  } catch (err) {
    if (refusedToken(err)) {
      logger.warn({ platform: 'teams', err: (err as Error).message }, 'refused a Teams request whose token does not hold');
      return answer(res, 401, { error: 'unauthorized' });
    }
    throw err;
  }
}

/**
 * botbuilder's own refusals are AuthenticationErrors; a signature that does not verify surfaces as
 * jsonwebtoken's error instead. Either way the caller is not who it says it is.
 */
function refusedToken(err: unknown): boolean {
  if (err instanceof AuthenticationError || (err as { statusCode?: number }).statusCode === 401) return true;
  return ['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError'].includes((err as Error).name);
}

function answer(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
