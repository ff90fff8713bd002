import path from 'node:path';
import type { CoreDeps } from '../../src/core/incident/deps';
import { systemClock } from '../../src/core/ports';
import type { RunbookCatalog } from '../../src/core/runbook/catalog';
import { loadCatalog } from '../../src/core/runbook/loader';
import type { Runbook } from '../../src/core/runbook/schema';
import { createLogger } from '../../src/util/logger';
import { runHttpProbe, type HttpTarget } from '../../src/probes/http-probe';
import { ProbeRunner } from '../../src/probes/runner';
import { PgIncidentStore } from '../../src/store/incident-store';
import { freshSchema, type TestSchema } from '../support/db';
import { FakeBraiFlow } from '../support/fake-braiflow';
import { declaredProbeJob, meProbe, type HttpDef } from '../support/probes';

const TOKEN = 'std-user-token-origin-test';
const USER = { id: 'UOPS0001', isAdmin: false, inChannel: true };

/*
 * Probe definitions the runbook schema refuses, forced past it, with the other server allowed by
 * PROBE_ALLOWED_HOSTS as in the finding: the standard user's token must reach the BraiFlow API only.
 */
let api: FakeBraiFlow;
let other: FakeBraiFlow;
let target: HttpTarget;
beforeAll(async () => {
  api = await new FakeBraiFlow().start();
  other = await new FakeBraiFlow().start();
  other.json('GET', '/x', 200, { role: 'agent' });
  target = { baseUrl: api.url, standardUserToken: TOKEN, policy: { allowed: [api.host, other.host], apiHost: null } };
});
afterAll(async () => {
  await api.stop();
  await other.stop();
});

test('a path that names another host (// or /\\) is refused before any request, and says why', async () => {
  for (const bad of [`//${other.host}/x`, `/\\${other.host}/x`]) {
    const out = await runHttpProbe(meProbe({ path: bad }), target);
    expect({ bad, status: out.status }).toEqual({ bad, status: 'error' });
    expect(out.reason).toContain(`refused: the path leads to http://${other.host}, not to BRAIFLOW_API_URL (${api.url})`);
  }
  expect(other.seen).toEqual([]);
  expect(api.seen).toEqual([]);
});

test('a redirect to another origin is followed without the Authorization header', async () => {
  api.routes.set('GET /api/v1/moved', (_req, res) => res.writeHead(302, { location: `http://${other.host}/x` }).end());
  await runHttpProbe(meProbe({ path: '/api/v1/moved' }), target);
  expect(api.seen.at(-1)).toEqual({ method: 'GET', path: '/api/v1/moved', authorization: `Bearer ${TOKEN}` });
  expect(other.seen).toEqual([{ method: 'GET', path: '/x', authorization: null }]);
  other.seen.length = 0;
});

describe('the runner, with definitions forced past the schema', () => {
  let schema: TestSchema;
  let deps: CoreDeps;
  let runner: ProbeRunner;
  let probes: Partial<Record<string, Partial<HttpDef>>> = {};

  beforeAll(async () => {
    schema = await freshSchema();
    const real = loadCatalog(path.resolve(__dirname, '../../playbooks'));
    // The shipped runbook, with some of its probes edited as no runbook file could.
    const catalog = Object.create(real) as RunbookCatalog;
    catalog.forIncident = (id: string): Runbook => {
      const rb = real.forIncident(id);
      return { ...rb, probes: rb.probes.map((p) => (p.kind === 'http' && probes[p.id] ? { ...p, ...probes[p.id] } : p)) };
    };
    deps = { store: new PgIncidentStore(schema.pool), clock: systemClock, catalog, tz: 'UTC' };
    runner = new ProbeRunner(deps, { http: target, queue: null, storage: { app: null, standardUser: null } }, createLogger('silent'));
  });
  afterAll(async () => {
    await runner.close();
    await schema.drop();
  });

  const declared = () => declaredProbeJob(deps, schema.pool, USER);

  it('records a probe aimed at another origin, and one with an out-of-range timeout, as errors on the first try', async () => {
    probes = { 'me-standard-user': { path: `//${other.host}/x` }, 'smoke-invoice-pdf': { timeout: '999999h' } };
    const { job, status } = await declared();
    await runner.run(job, { attempt: 1, final: false });
    const done = await status();
    expect(done['me-standard-user']).toMatch(new RegExp(`^error: GET //${other.host}/x as standard-user: refused: the path leads to http://${other.host}`));
    expect(done['smoke-invoice-pdf']).toMatch(
      /^error: GET \/api\/v1\/invoices\/inv_smoke_0001\/pdf as standard-user: timeout 999999h is out of range: write one from 1s to 5m/,
    );
    expect(other.seen).toEqual([]);
  });

  it('ends a run whose probe throws something other than a network error as an error on the last try, not queued forever', async () => {
    // A method Node refuses to send: the probe throws a TypeError, as a RangeError would.
    probes = { 'me-standard-user': { method: 'GET\n' as HttpDef['method'] }, 'smoke-invoice-pdf': {} };
    api.pdf('/api/v1/invoices/inv_smoke_0001/pdf');
    const { job, status } = await declared();
    await expect(runner.run(job, { attempt: 1, final: false })).rejects.toBeInstanceOf(TypeError);
    expect((await status())['me-standard-user']).toBe('queued: ');
    await runner.run(job, { attempt: 3, final: true });
    expect((await status())['me-standard-user']).toMatch(
      /^error: API \/me as standard user: the probe could not run \(TypeError: safeFetch: the request could not be built/,
    );
  });
});
