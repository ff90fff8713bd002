import { runHttpProbe, type HttpTarget } from '../../src/probes/http-probe';
import { ProbeNetworkError } from '../../src/probes/outcome';
import { FakeBraiFlow } from '../support/fake-braiflow';
import { meProbe } from '../support/probes';

const TOKEN = 'std-user-token-http-probe-test';

/** One http probe against a fake BraiFlow API on loopback, judged as a responder would. */
describe('runHttpProbe', () => {
  let api: FakeBraiFlow;
  let target: HttpTarget;
  beforeAll(async () => {
    api = await new FakeBraiFlow().start();
    target = { baseUrl: api.url, standardUserToken: TOKEN, policy: { allowed: [api.host], apiHost: null } };
  });
  afterAll(async () => {
    await api.stop();
  });

  it('passes with the status, the time and the role of whoever the token belongs to', async () => {
    api.json('GET', '/api/v1/me', 200, { user: { role: 'agent', active: true } });
    const out = await runHttpProbe(meProbe({ expect_json: { 'user.active': true } }), target);
    expect(out.status).toBe('pass');
    expect(out.reason).toMatch(/^GET \/api\/v1\/me as standard-user: 200 in \d+ ms, role=agent$/);
    expect(api.seen.at(-1)!.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('fails naming each expectation missed: status, content type, JSON field, latency', async () => {
    api.json('GET', '/api/v1/invoices/inv_1/pdf', 404, { error: 'not found' });
    const pdf = await runHttpProbe(meProbe({ path: '/api/v1/invoices/inv_1/pdf', expect_content_type: 'application/pdf' }), target);
    expect(pdf).toMatchObject({
      status: 'fail',
      reason: 'GET /api/v1/invoices/inv_1/pdf as standard-user: 404 (expected 200), content type application/json (expected application/pdf)',
    });
    api.json('GET', '/api/v1/slow', 200, { user: { active: false } }, 150);
    const slow = await runHttpProbe(meProbe({ path: '/api/v1/slow', expect_json: { 'user.active': true }, max_latency: '0s' }), target);
    expect(slow.status).toBe('fail');
    expect(slow.reason).toMatch(/user\.active = false \(expected true\), \d+ ms \(limit 0s\)$/);
  });

  it('says a standard-user token that belongs to an admin proves nothing for regular users', async () => {
    api.json('GET', '/api/v1/me', 200, { role: 'admin' });
    const out = await runHttpProbe(meProbe(), target);
    expect(out.status).toBe('error');
    expect(out.reason).toContain('the credential is an admin (role=admin): this check proves nothing for regular users');
  });

  it('calls anonymously without any Authorization header', async () => {
    api.json('GET', '/api/v1/health', 200, { ok: true });
    await runHttpProbe(meProbe({ path: '/api/v1/health', as: 'anonymous' }), target);
    expect(api.seen.at(-1)).toEqual({ method: 'GET', path: '/api/v1/health', authorization: null });
  });

  it('throws a network error to retry when the API does not answer in time', async () => {
    api.json('GET', '/api/v1/hang', 200, {}, 3_000);
    await expect(runHttpProbe(meProbe({ path: '/api/v1/hang', timeout: '1s' }), target)).rejects.toBeInstanceOf(ProbeNetworkError);
  });

  it('names the variable to set when the API or the token is not configured', async () => {
    expect((await runHttpProbe(meProbe(), { ...target, baseUrl: null })).reason).toContain('BRAIFLOW_API_URL is not set');
    expect((await runHttpProbe(meProbe(), { ...target, standardUserToken: null })).reason).toContain('BRAIFLOW_STANDARD_USER_TOKEN is not set');
  });
});
