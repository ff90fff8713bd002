import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { ping } from '../store/operations';
import { withTimeout } from '../util/timeout';
import { localClients, PRIVATE_NETWORKS } from './addresses';
import type { Metrics } from './metrics';
import { isForwarded } from './requests';
import type { Route } from './server';

export type Probe = () => Promise<unknown>;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export interface Readiness {
  /** Milliseconds since the outbox relay last got an answer from Postgres. */
  sinceRelayPass(): number;
  /** A web-only process still records declares while Redis is away (they wait in the outbox). */
  redisRequired: boolean;
  /**
   * Worker roles: the Job Schedulers missing from Redis (a restart without persistence). Reported,
   * never a 503: the process puts them back itself within a minute, and a worker taken out of
   * rotation would not bring them back sooner.
   */
  missingSchedules?: () => Promise<string[]>;
}

/** A relay that has not reached Postgres for this long is stuck: new incidents would get no channel. */
export const RELAY_STALE_MS = 30_000;

/**
 * /healthz: the process is up. /readyz: Postgres answers, the outbox relay is moving, and Redis
 * answers where this role needs it; a 503 names what is not. A worker also lists missing
 * schedulers. /metrics: Prometheus text. `inside` says who may read metrics and what /readyz found
 * (METRICS_ALLOW_FROM): they tell an outsider queue sizes and which dependency is down. Anyone
 * else gets /readyz's status code only.
 */
export function operationalRoutes(
  pool: Pool,
  redis: Redis,
  metrics: Metrics,
  readiness: Readiness,
  insideAddress: (address: string | undefined) => boolean = localClients(PRIVATE_NETWORKS),
): Route[] {
  // Behind a proxy on this machine every caller would look local: a forwarded request is someone else's.
  const inside = (req: IncomingMessage) => !isForwarded(req) && insideAddress(req.socket.remoteAddress);
  const checks: Record<string, Probe> = {
    postgres: () => ping(pool),
    redis: () => redis.ping(),
    relay: async () => {
      const since = readiness.sinceRelayPass();
      if (since > RELAY_STALE_MS) throw new Error(`no pass reached Postgres for ${Math.round(since / 1000)} s`);
    },
  };
  const missingSchedules = readiness.missingSchedules;
  if (missingSchedules) {
    checks.schedules = async () => {
      const missing = await missingSchedules();
      if (missing.length > 0) throw new Error(`${missing.map((n) => `${n} scheduler`).join(' and ')} missing; put back within a minute`);
    };
  }
  const required = (name: string) => name !== 'schedules' && (name !== 'redis' || readiness.redisRequired);
  return [
    { path: '/healthz', method: 'GET', handler: (_req, res) => json(res, 200, { status: 'ok' }) },
    {
      path: '/readyz',
      method: 'GET',
      handler: (req, res) => {
        void Promise.all(
          Object.entries(checks).map(async ([name, check]) => {
            try {
              await withTimeout(check(), 2_000, 'no answer within 2000 ms');
              return [name, 'ok'] as const;
            } catch (err) {
              const note = name === 'redis' && !required(name) ? ' (declares wait in the outbox)' : '';
              return [name, `down: ${(err as Error).message}${note}`] as const;
            }
          }),
        ).then((results) => {
          const down = results.filter(([n, r]) => r !== 'ok' && required(n)).map(([n]) => n);
          if (!inside(req)) return json(res, down.length ? 503 : 200, { status: down.length ? 'not ready' : 'ready' });
          json(res, down.length ? 503 : 200, {
            status: down.length ? `not ready: ${down.join(' and ')} not answering` : 'ready',
            checks: Object.fromEntries(results),
          });
        });
      },
    },
    {
      path: '/metrics',
      method: 'GET',
      handler: (req, res) => {
        if (!inside(req)) return json(res, 403, { error: 'forbidden: /metrics answers only the addresses METRICS_ALLOW_FROM names' });
        metrics.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': metrics.registry.contentType });
            res.end(text);
          },
          (err: Error) => json(res, 500, { error: err.message }),
        );
      },
    },
  ];
}
