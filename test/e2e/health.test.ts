import { createServer, type AddressInfo, type Socket } from 'node:net';
import { startHarness, type Harness } from '../support/harness';

describe('health and readiness routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('/healthz answers 200 while the process is up', async () => {
    const res = await fetch(`${h.baseUrl}/healthz`);
    expect(res.status).toBe(200);
  });

  it('/readyz answers 200 when Postgres and Redis answer', async () => {
    const res = await fetch(`${h.baseUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('/readyz answers 503 naming Redis when Redis does not answer, while /healthz stays 200', async () => {
    // A Redis that accepts connections and never answers.
    const sockets = new Set<Socket>();
    const blackhole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as AddressInfo).port;
    const broken = await startHarness({ redisUrl: `redis://127.0.0.1:${port}`, role: 'web' });
    try {
      const res = await fetch(`${broken.baseUrl}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; checks: Record<string, string> };
      expect(body.status).toBe('not ready: redis not answering');
      expect(body.checks.postgres).toBe('ok');
      expect((await fetch(`${broken.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => blackhole.close(r));
      await broken.stop();
    }
  });
});
