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
    expect(await res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok', relay: 'ok', schedules: 'ok' } });
  });

  it('/readyz answers 503 naming Redis when Redis does not answer where jobs run; a web-only process stays ready', async () => {
    // A Redis that accepts connections and never answers.
    const sockets = new Set<Socket>();
    const blackhole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as AddressInfo).port;
    const worker = await startHarness({ redisUrl: `redis://127.0.0.1:${port}`, role: 'worker' });
    const web = await startHarness({ redisUrl: `redis://127.0.0.1:${port}`, role: 'web', share: worker });
    try {
      const res = await fetch(`${worker.baseUrl}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; checks: Record<string, string> };
      expect(body.status).toBe('not ready: redis not answering');
      expect(body.checks.postgres).toBe('ok');
      expect((await fetch(`${worker.baseUrl}/healthz`)).status).toBe(200);

      // Declares still land in the outbox, so the web role keeps taking them, and says why Redis is down.
      const webRes = await fetch(`${web.baseUrl}/readyz`);
      expect(webRes.status).toBe(200);
      const webBody = (await webRes.json()) as { status: string; checks: Record<string, string> };
      expect(webBody.checks.redis).toMatch(/^down: .*\(declares wait in the outbox\)$/);
      const declared = await web.command('pdf-404 redis is away', 'UREDIS01');
      expect(declared.body.text).toMatch(/^INC-\d+ declared/);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => blackhole.close(r));
      await web.stop();
      await worker.stop();
    }
  });

  it('/readyz answers 503 when the outbox relay has not reached Postgres for 30 s', async () => {
    const relay = h.runtime.relay as unknown as { lastDatabasePass: number };
    const saved = relay.lastDatabasePass;
    relay.lastDatabasePass = Date.now() - 45_000;
    try {
      const res = await fetch(`${h.baseUrl}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; checks: Record<string, string> };
      expect(body.status).toBe('not ready: relay not answering');
      expect(body.checks.relay).toMatch(/^down: no pass reached Postgres for 4\d s$/);
    } finally {
      relay.lastDatabasePass = saved;
    }
  });

  it('/metrics counts requests and jobs, and reports queue depth, outbox lag and open incidents', async () => {
    await h.command('pdf-404 metrics check', 'UMETRIC1');
    // An imported incident that was never resolved is history, not something open to work on.
    await h.schema.pool.query(
      `INSERT INTO incidents (playbook_id, class, title, severity, status, platform, declared_by, declared_at, external_id, imported_from)
       VALUES ('pdf', 'pdf', 'old', 3, 'declared', 'import', 'import', now() - interval '1 year', 'INC0000001', 'servicenow')`,
    );
    await h.slack.waitFor(() => h.slack.callsOf('chat.postMessage').length >= 2, 'the incident messages');
    // The worker's job counters move after the job returns; give it a moment.
    let text = '';
    for (let i = 0; i < 50 && !/incident_bot_job_duration_seconds_count\{[^}]*kind="chat.provision"[^}]*outcome="completed"/.test(text); i++) {
      text = await (await fetch(`${h.baseUrl}/metrics`)).text();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toMatch(/incident_bot_http_request_duration_seconds_count\{route="\/slack\/events",method="POST",status="200"\} [1-9]/);
    expect(text).toMatch(/incident_bot_job_duration_seconds_count\{queue="chat",kind="chat.provision",outcome="completed"\} 1/);
    expect(text).toMatch(/incident_bot_open_incidents\{platform="slack"\} 1/);
    expect(text).not.toMatch(/incident_bot_open_incidents\{platform="import"\}/);
    expect(text).toMatch(/incident_bot_outbox_lag_seconds \d/);
    expect(text).toMatch(/incident_bot_queue_jobs\{queue="probes",state="waiting"\} 0/);
    // The process itself: a leak or a blocked event loop shows before the requests slow down.
    expect(text).toMatch(/^incident_bot_process_resident_memory_bytes [1-9]\d*/m);
    expect(text).toMatch(/^incident_bot_nodejs_eventloop_lag_seconds \d/m);
    expect(text).not.toMatch(/incident_bot_jobs_total/);
  });

  it('serves /healthz, /readyz and /metrics from a worker-only process, and no chat surface', async () => {
    const worker = await startHarness({ role: 'worker' });
    try {
      expect((await fetch(`${worker.baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${worker.baseUrl}/readyz`)).status).toBe(200);
      const metrics = await fetch(`${worker.baseUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      expect((await fetch(worker.eventsUrl, { method: 'POST', body: 'x' })).status).toBe(404);
    } finally {
      await worker.stop();
    }
  });
});
