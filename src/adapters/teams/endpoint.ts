import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthenticationError } from 'botframework-connector';
import type { Activity } from 'botbuilder';
import { readBody } from '../../http/requests';
import type { Logger } from '../../util/logger';
import type { TeamsBot } from './bot';
import type { TeamsPlatform } from './platform';
import { foreignTenant, localActivityRefusal, localRequestRefusal, malformedToken, type Refusal } from './request-checks';

export const TEAMS_MESSAGES_PATH = '/api/messages';

/** Teams' activities are small; a card action is a few KB. */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * POST /api/messages. With an app id, botbuilder checks every request's JWT, and one that does not
 * hold gets 401 before anything is read or recorded. Without one (local no-auth mode, for the Bot
 * Framework Emulator and tests) nothing can be checked, so only a program on this machine may call
 * (request-checks.ts). Either way an activity from a tenant not allowed is refused before the bot
 * sees it.
 */
export function teamsEndpoint(platform: TeamsPlatform, bot: TeamsBot, logger: Logger) {
  const { appId, appType, allowedTenants } = platform.config;
  if (appId && appType === 'MultiTenant' && allowedTenants.length === 0) {
    logger.warn(
      { platform: 'teams' },
      'Teams: a MultiTenant bot with no TEAMS_ALLOWED_TENANTS (or MICROSOFT_APP_TENANT_ID) accepts activities from any Microsoft Entra tenant; set TEAMS_ALLOWED_TENANTS to your tenant ID',
    );
  }
  return (req: IncomingMessage, res: ServerResponse): void => {
    void handle(platform, bot, logger, req, res).catch((err: Error) => {
      logger.error({ platform: 'teams', err }, 'teams request failed');
      answer(res, 500, { error: 'internal error' });
    });
  };
}

async function handle(platform: TeamsPlatform, bot: TeamsBot, logger: Logger, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const local = !platform.adapter.appId;
  const early = local ? localRequestRefusal(req) : null;
  if (early) return refuse(res, logger, early, { from: req.socket.remoteAddress, origin: req.headers.origin });
  const raw = await readBody(req, MAX_BODY_BYTES);
  if (raw === null) return answer(res, 413, { error: 'request body too large' });
  let activity: Activity;
  try {
    activity = JSON.parse(raw);
  } catch {
    return answer(res, 400, { error: 'the body is not JSON' });
  }
  if (!activity || typeof activity !== 'object' || typeof activity.type !== 'string') return answer(res, 400, { error: 'not an activity: no type' });
  const late = local ? localActivityRefusal(activity) : null;
  if (late) return refuse(res, logger, late, { serviceUrl: String(activity.serviceUrl) });
  const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
  if (!local && malformedToken(authorization)) {
    logger.warn({ platform: 'teams' }, 'refused a Teams request whose token is not a well-formed JWT');
    return answer(res, 401, { error: 'unauthorized' });
  }
  let foreign: string | null = null;
  try {
    // The logic runs only once the token holds; the tenant is checked there, before anything is recorded.
    const invoke = await platform.adapter.turn(authorization, activity, async (ctx) => {
      foreign = foreignTenant(ctx.activity, platform.config.allowedTenants);
      if (foreign === null) await bot.onTurn(ctx);
    });
    if (foreign !== null) {
      return refuse(res, logger, { status: 403, error: 'This bot does not serve your Microsoft Entra tenant.', log: 'refused a Teams activity from a tenant not in TEAMS_ALLOWED_TENANTS' }, { tenant: foreign });
    }
    answer(res, invoke?.status ?? 200, invoke?.body);
  } catch (err) {
    if (refusedToken(err)) {
      logger.warn({ platform: 'teams', err }, 'refused a Teams request whose token does not hold');
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

function refuse(res: ServerResponse, logger: Logger, r: Refusal, context: Record<string, unknown>): void {
  logger.warn({ platform: 'teams', ...context }, r.log);
  answer(res, r.status, { error: r.error });
}

function answer(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
