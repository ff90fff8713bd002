import type { IncomingMessage, ServerResponse } from 'node:http';
import { UserError } from '../core/errors';
import { acknowledgeFromPagerDuty } from '../core/incident/acknowledge';
import type { CoreDeps } from '../core/incident/deps';
import { readBody } from '../http/requests';
import type { Route } from '../http/server';
import type { Logger } from '../util/logger';
import { incidentOfDedupKey } from '../webhooks/pagerduty';
import {
  INCIDENT_ACKNOWLEDGED,
  pagerDutyActor,
  pagerDutyIncident,
  pagerDutyIncidentRef,
  pagerDutyWebhookBody,
  type PagerDutyEvent,
  type PagerDutyIncident,
} from './pagerduty-events';
import { PAGERDUTY_SIGNATURE_HEADER, verifyPagerDutySignature } from './pagerduty-signature';

/**
 * Under /webhooks, not /alerts: nothing is declared here. It is the way back of the `pagerduty`
 * webhook preset, PagerDuty telling us about the page we sent it.
 */
export const PAGERDUTY_WEBHOOK_PATH = '/webhooks/pagerduty';

/** A V3 delivery is one event of a few KB; a body this size is not PagerDuty's and is refused unread. */
export const MAX_PAGERDUTY_BODY_BYTES = 64 * 1024;

export type PagerDutyOutcome = 'acknowledged' | 'unchanged' | 'not_ours' | 'ignored';

/**
 * POST /webhooks/pagerduty: PagerDuty's Generic Webhooks (V3), signed with PAGERDUTY_WEBHOOK_SECRET
 * (404 while it is unset). incident.acknowledged for an incident our events opened (its
 * `incident_key` is our dedup key) acknowledges it, which stops the ladder; every other event, and
 * incidents not ours, are answered 200 and left alone, so PagerDuty does not retry them. A refused
 * request (401, 413, 400) records nothing and logs why.
 */
export function pagerDutyRoute(secret: string | null, deps: CoreDeps, logger: Logger): Route {
  const log = logger.child({ component: 'pagerduty-webhook' });
  return {
    method: 'POST',
    path: PAGERDUTY_WEBHOOK_PATH,
    handler: (req, res) => {
      handle(req, res, secret, deps, log).catch((err: unknown) => {
        log.warn({ err }, 'PagerDuty webhook failed');
        if (!res.headersSent) answer(res, 500, { error: 'internal error' });
      });
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, secret: string | null, deps: CoreDeps, log: Logger): Promise<void> {
  const from = req.socket?.remoteAddress;
  if (!secret) return answer(res, 404, { error: 'not configured: set PAGERDUTY_WEBHOOK_SECRET to accept PagerDuty webhooks here' });
  const raw = await readBody(req, MAX_PAGERDUTY_BODY_BYTES);
  if (raw === null) {
    log.warn({ from }, `PagerDuty webhook refused: body larger than ${MAX_PAGERDUTY_BODY_BYTES / 1024} KB`);
    return answer(res, 413, { error: 'request body too large' });
  }
  const signature = header(req, PAGERDUTY_SIGNATURE_HEADER);
  if (!verifyPagerDutySignature(secret, raw, signature)) {
    const why = signature ? 'no signature matches' : 'no X-PagerDuty-Signature header';
    log.warn({ from }, `PagerDuty webhook refused: not authenticated, ${why} (check PAGERDUTY_WEBHOOK_SECRET against the subscription's signing secret)`);
    return answer(res, 401, { error: 'not authenticated' });
  }
  const read = parse(raw);
  if ('refused' in read) {
    log.warn({ from, problems: read.problems }, `PagerDuty webhook refused: ${read.refused}`);
    return answer(res, 400, { error: read.refused, problems: read.problems });
  }
  try {
    answer(res, 200, { outcome: await act(read, deps, log) });
  } catch (err) {
    // PagerDuty redelivers on a 5xx; acknowledging is idempotent, so the retry records it once.
    log.error({ err, pagerDutyEvent: read.event.id }, 'PagerDuty acknowledgement not recorded; PagerDuty will retry');
    answer(res, 503, { error: 'not recorded, try again' });
  }
}

interface Read {
  event: PagerDutyEvent;
  /** The incident of an incident.acknowledged; null for any other event. */
  incident: PagerDutyIncident | null;
}

/** The event, or why the body is not one. */
function parse(raw: string): Read | { refused: string; problems?: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { refused: 'the body is not JSON' };
  }
  const body = pagerDutyWebhookBody.safeParse(json);
  if (!body.success) return { refused: 'not the expected shape', problems: problems(body.error.issues, []) };
  const event = body.data.event;
  if (event.event_type !== INCIDENT_ACKNOWLEDGED) return { event, incident: null };
  const incident = pagerDutyIncident.safeParse(event.data);
  if (!incident.success) return { refused: 'not the expected shape', problems: problems(incident.error.issues, ['event', 'data']) };
  return { event, incident: incident.data };
}

function problems(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>, under: string[]): string[] {
  return issues.slice(0, 5).map((i) => `${[...under, ...i.path.map(String)].join('.') || '(body)'}: ${i.message}`);
}

async function act({ event, incident }: Read, deps: CoreDeps, log: Logger): Promise<PagerDutyOutcome> {
  const about = { pagerDutyEvent: event.id, eventType: event.event_type };
  if (!incident) {
    log.debug(about, 'PagerDuty webhook ignored: only incident.acknowledged is acted on');
    return 'ignored';
  }
  const ref = pagerDutyIncidentRef(incident.id);
  const ours = incidentOfDedupKey(incident.incident_key);
  if (!ours) {
    log.info({ ...about, pagerDutyIncident: ref }, 'PagerDuty acknowledgement not ours: its incident_key is no dedup key of this bot');
    return 'not_ours';
  }
  try {
    const { changed } = await acknowledgeFromPagerDuty(deps, ours, pagerDutyActor(event.agent), ref);
    log.info(
      { ...about, incidentId: ours, pagerDutyIncident: ref },
      changed ? 'acknowledged from PagerDuty' : 'PagerDuty acknowledgement: already acknowledged or ended',
    );
    return changed ? 'acknowledged' : 'unchanged';
  } catch (err) {
    if (!(err instanceof UserError && err.code === 'not_found')) throw err;
    log.info({ ...about, incidentId: ours, pagerDutyIncident: ref }, 'PagerDuty acknowledgement not ours: no such incident here');
    return 'not_ours';
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
