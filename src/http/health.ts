import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { withTimeout } from '../util/timeout';
import type { Metrics } from './metrics';
import type { Route } from './server';

export type Probe = () => Promise<unknown>;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * /healthz: the process is up. /readyz: Postgres and Redis answer; a 503 names the one that does
 * not. /metrics: Prometheus text.
 */
export function operationalRoutes(pool: Pool, redis: Redis, metrics: Metrics): Route[] {
  const checks: Record<string, Probe> = {
    postgres: () => pool.query('SELECT 1'),
    redis: () => redis.ping(),
  };
  return [
    { path: '/healthz', method: 'GET', handler: (_req, res) => json(res, 200, { status: 'ok' }) },
    {
      path: '/readyz',
      method: 'GET',
      handler: (_req, res) => {
        void Promise.all(
          Object.entries(checks).map(async ([name, check]) => {
            try {
              await withTimeout(check(), 2_000, 'no answer within 2000 ms');
              return [name, 'ok'] as const;
            } catch (err) {
              return [name, `down: ${(err as Error).message}`] as const;
            }
          }),
        ).then((results) => {
          const down = results.filter(([, r]) => r !== 'ok').map(([n]) => n);
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
      handler: (_req, res) => {
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
