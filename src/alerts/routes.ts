import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { UserError } from '../core/errors';
import { readBody } from '../http/requests';
import type { Route } from '../http/server';
import type { Logger } from '../util/logger';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../webhooks/signature';
import type { AlertIntake } from './intake';
import { alertmanagerBody, fromAlertmanager, fromGeneric, genericBody, type IncomingAlert } from './payload';

export const ALERTMANAGER_PATH = '/alerts/alertmanager';
export const GENERIC_ALERT_PATH = '/alerts/generic';

/** An Alertmanager group of a few hundred alerts fits; anything larger is refused unread. */
export const MAX_ALERT_BODY_BYTES = 256 * 1024;

export interface AlertCredentials {
  token: string | null;
  secret: string | null;
}

/**
 * POST /alerts/alertmanager (Bearer token, constant-time compare) and POST /alerts/generic (HMAC
 * signature as our outbound webhooks sign). A route whose credential is unset answers 404. A refused
 * request (401, 413, 400) records nothing and logs why.
 */
export function alertRoutes(credentials: AlertCredentials, intake: AlertIntake, logger: Logger): Route[] {
  const log = logger.child({ component: 'alerts' });
  return [
    {
      method: 'POST',
      path: ALERTMANAGER_PATH,
      handler: (req, res) =>
        guarded(req, res, log, credentials.token, 'ALERTS_TOKEN', {
          authenticated: (token) => bearerMatches(req.headers.authorization, token),
          schema: alertmanagerBody,
          alerts: (body) => fromAlertmanager(body as z.infer<typeof alertmanagerBody>),
          intake,
        }),
    },
    {
      method: 'POST',
      path: GENERIC_ALERT_PATH,
      handler: (req, res) =>
        guarded(req, res, log, credentials.secret, 'ALERTS_SECRET', {
          authenticated: (secret, raw) => verifyWebhookSignature(secret, header(req, TIMESTAMP_HEADER), raw, header(req, SIGNATURE_HEADER)),
          schema: genericBody,
          alerts: (body) => [fromGeneric(body as z.infer<typeof genericBody>)],
          intake,
        }),
    },
  ];
}

interface Handling {
  authenticated(credential: string, raw: string): boolean;
  schema: z.ZodType;
  alerts(body: unknown): IncomingAlert[];
  intake: AlertIntake;
}

/** A body cut off mid-read (the sender went away) is nobody's to answer; anything else is a 500. */
function guarded(req: IncomingMessage, res: ServerResponse, log: Logger, credential: string | null, variable: string, h: Handling): void {
  handle(req, res, log, credential, variable, h).catch((err: unknown) => {
    log.warn({ err }, 'alert request failed');
    if (!res.headersSent) answer(res, 500, { error: 'internal error' });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, log: Logger, credential: string | null, variable: string, h: Handling): Promise<void> {
  const path = req.url?.split('?')[0];
  const from = req.socket?.remoteAddress;
  if (!credential) return answer(res, 404, { error: `not configured: set ${variable} to accept alerts here` });
  const raw = await readBody(req, MAX_ALERT_BODY_BYTES);
  if (raw === null) {
    log.warn({ path, from }, `alert refused: body larger than ${MAX_ALERT_BODY_BYTES / 1024} KB`);
    return answer(res, 413, { error: 'request body too large' });
  }
  if (!h.authenticated(credential, raw)) {
    log.warn({ path, from }, `alert refused: not authenticated (check ${variable} on the sender)`);
    return answer(res, 401, { error: 'not authenticated' });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    log.warn({ path }, 'alert refused: the body is not JSON');
    return answer(res, 400, { error: 'the body is not JSON' });
  }
  const parsed = h.schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    log.warn({ path, problems }, 'alert refused: not the expected shape');
    return answer(res, 400, { error: 'malformed alert', problems });
  }
  try {
    const results = [];
    for (const alert of h.alerts(parsed.data)) results.push({ fingerprint: alert.fingerprint, ...(await h.intake.receive(alert)) });
    answer(res, 200, { results });
  } catch (err) {
    // The alert itself is refused (e.g. a title of invisible characters): a retry would be too.
    if (err instanceof UserError) {
      log.warn({ path, problem: err.problem.code }, 'alert refused by the declare');
      return answer(res, 422, { error: 'refused', code: err.problem.code });
    }
    // Alertmanager retries a 5xx: the fingerprint's request key keeps the retry from declaring twice.
    log.error({ err, path }, 'alert not fully recorded; the sender will retry');
    answer(res, 503, { error: 'not recorded, try again' });
  }
}

/** Constant-time: both sides are hashed first, so neither the content nor the length leaks. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = createHash('sha256').update(m[1]!).digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
