import { findSecrets } from '../../src/core/runbook/secrets';

/** `runbooks check` refuses credentials written into a runbook: they would live in git and show in chat. */
describe('finding credentials in a runbook', () => {
  it.each([
    ['curl -H "Authorization: Bearer abcdef123456789" https://api', 'a bearer token'],
    ['export SLACK=xoxb-1234-5678-abcdef', 'a Slack token'],
    ['aws configure set aws_access_key_id AKIAABCDEFGHIJKLMNOP', 'an AWS access key id'],
    ['token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc', 'a JWT'],
    ['password: hunter2xx9', 'a password or key'],
    ['psql "... password=s3cr3tpass", then', 'a password or key'],
  ])('flags %p as %s', (text, what) => {
    expect(findSecrets({ steps: [{ detail: text }] })).toEqual([['steps.0.detail', what]]);
  });

  it.each([
    'log in as support-smoke (password: 1Password vault "Support Smoke Accounts", item "support-smoke")',
    'the Redis password was rotated but the worker secret was not',
    'check the token rotation date in the admin page',
  ])('lets a pointer to where a credential is kept pass: %p', (text) => {
    expect(findSecrets({ steps: [{ detail: text }] })).toEqual([]);
  });

  it('flags a field named like a credential, wherever it is', () => {
    expect(
      findSecrets({
        probes: [
          { id: 'me', headers: { Authorization: 'x' } },
          { id: 's3', secret_access_key: 'y' },
        ],
      }),
    ).toEqual([
      ['probes.0.headers.Authorization', 'a "Authorization" field'],
      ['probes.1.secret_access_key', 'a "secret_access_key" field'],
    ]);
  });
});
