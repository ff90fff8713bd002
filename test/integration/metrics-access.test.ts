import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { addressMatcher } from '../../src/http/addresses';
import { operationalRoutes } from '../../src/http/health';
import { Metrics } from '../../src/http/metrics';
import { HttpServer } from '../../src/http/server';

// Postgres is "down" so that /readyz has something to tell; /metrics' gauges skip what they cannot read.
const pool = { query: () => Promise.reject(new Error('connect ECONNREFUSED 10.9.8.7:5432')) } as unknown as Pool;
const redis = { ping: () => Promise.resolve('PONG') } as unknown as Redis;

/** Tests only have loopback: a list without it makes this machine "another machine". */
async function serve(inside?: (address: string | undefined) => boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const metrics = new Metrics(pool, null);
  const server = new HttpServer(operationalRoutes(pool, redis, metrics, { sinceRelayPass: () => 0, redisRequired: true }, inside), metrics);
  const port = await server.listen(0);
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

describe('/metrics and /readyz details answer only the allowed addresses', () => {
  it('refuses /metrics to an address outside METRICS_ALLOW_FROM, and gives /readyz its status code only', async () => {
    const outside = await serve(addressMatcher(['10.0.0.0/8']));
    try {
      const metrics = await fetch(`${outside.url}/metrics`);
      expect(metrics.status).toBe(403);
      expect(await metrics.text()).not.toContain('incident_bot_');

      const ready = await fetch(`${outside.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'not ready' });
      expect((await fetch(`${outside.url}/healthz`)).status).toBe(200);
    } finally {
      await outside.close();
    }
  });

  it('serves both in full to this machine by default, but not to a request a proxy forwarded', async () => {
    const local = await serve();
    try {
      const metrics = await fetch(`${local.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('incident_bot_http_request_duration_seconds');
      const ready = await fetch(`${local.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'not ready: postgres not answering',
        checks: { postgres: 'down: connect ECONNREFUSED 10.9.8.7:5432' },
      });

      expect((await fetch(`${local.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(403);
      expect(await (await fetch(`${local.url}/readyz`, { headers: { forwarded: 'for=203.0.113.9' } })).json()).toEqual({ status: 'not ready' });
    } finally {
      await local.close();
    }
  });
});
