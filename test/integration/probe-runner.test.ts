import path from 'node:path';
import type { CoreDeps } from '../../src/core/incident/deps';
import { systemClock } from '../../src/core/ports';
import { loadCatalog } from '../../src/core/runbook/loader';
import { createLogger } from '../../src/util/logger';
import { ProbeNetworkError } from '../../src/probes/outcome';
import { ProbeRunner } from '../../src/probes/runner';
import { PgIncidentStore } from '../../src/store/incident-store';
import { freshSchema, type TestSchema } from '../support/db';
import { FakeBraiFlow } from '../support/fake-braiflow';
import { declaredProbeJob } from '../support/probes';

const USER = { id: 'UOPS0001', isAdmin: false, inChannel: true };
const ME = '/api/v1/me';
const PDF = '/api/v1/invoices/inv_smoke_0001/pdf';

describe('a probe job with several runs', () => {
  let schema: TestSchema;
  let deps: CoreDeps;
  let api: FakeBraiFlow;
  let runner: ProbeRunner;

  beforeAll(async () => {
    schema = await freshSchema();
    api = await new FakeBraiFlow().start();
    deps = { store: new PgIncidentStore(schema.pool), clock: systemClock, catalog: loadCatalog(path.resolve(__dirname, '../../playbooks')), tz: 'UTC' };
    runner = new ProbeRunner(
      deps,
      {
        http: { baseUrl: api.url, standardUserToken: 'standard-user-token-for-tests', policy: { allowed: [api.host], apiHost: api.host } },
        queue: null,
        storage: { app: null, standardUser: null },
      },
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await runner.close();
    await api.stop();
    await schema.drop();
  });

  it('records each clean answer at once, and runs again only the probe whose connection broke', async () => {
    // /me drops the connection (a network error, worth another try); the PDF answers 404 (a clean fail).
    api.routes.set(`GET ${ME}`, (req) => req.socket.destroy());
    const { job, status } = await declaredProbeJob(deps, schema.pool, USER);

    // First try: the job fails so the job layer runs it again later; the fail is already recorded.
    await expect(runner.run(job, { attempt: 1, final: false })).rejects.toBeInstanceOf(ProbeNetworkError);
    expect(await status()).toEqual({
      'me-standard-user': 'queued: ',
      'smoke-invoice-pdf': `fail: GET ${PDF} as standard-user: 404 (expected 200), content type application/json (expected application/pdf)`,
    });

    // Last try: only /me is called again, and its error is recorded with the number of tries.
    await runner.run(job, { attempt: 2, final: true });
    expect(api.seen.filter((r) => r.path === PDF)).toHaveLength(1);
    expect(api.seen.filter((r) => r.path === ME)).toHaveLength(2);
    expect((await status())['me-standard-user']).toMatch(/^error: GET \/api\/v1\/me as standard-user: connection reset by .*\(after 2 tries\)$/);
  });
});
