import { blockProblem, FakeSlack } from '../support/fake-slack';

// The end-to-end tests trust the fake to refuse what Slack refuses; these prove it does.
describe('the fake Slack Web API used by the end-to-end tests', () => {
  const section = (text: string, actionId?: string) => ({
    type: 'section',
    text: { type: 'mrkdwn', text },
    ...(actionId ? { accessory: { type: 'button', action_id: actionId, text: { type: 'plain_text', text: 'x' } } } : {}),
  });

  it('refuses more than 50 blocks, a section over 3000 characters and a duplicate action_id', () => {
    expect(blockProblem(Array.from({ length: 50 }, () => section('ok')))).toBeNull();
    expect(blockProblem(Array.from({ length: 51 }, () => section('ok')))).toMatch(/too many blocks/);
    expect(blockProblem([section('x'.repeat(3000))])).toBeNull();
    expect(blockProblem([section('x'.repeat(3001))])).toMatch(/longer than 3000/);
    expect(blockProblem([section('a', 'step.one'), section('b', 'step.one')])).toMatch(/duplicate action_id step\.one/);
  });

  it('refuses channel names Slack refuses, and a taken name', async () => {
    const slack = await new FakeSlack().start();
    try {
      const create = async (name: string) => {
        const res = await fetch(`${slack.apiUrl}conversations.create`, {
          method: 'POST',
          headers: { authorization: 'Bearer xoxb-test-1', 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ name }).toString(),
        });
        return (await res.json()) as { ok: boolean; error?: string };
      };
      expect(await create('inc-20261126-pdf-404-1')).toEqual(expect.objectContaining({ ok: true }));
      expect(await create('inc-20261126-pdf-404-1')).toEqual({ ok: false, error: 'name_taken' });
      expect(await create('Inc With Spaces')).toEqual({ ok: false, error: 'invalid_name_specials' });
      expect(await create('x'.repeat(81))).toEqual({ ok: false, error: 'invalid_name_specials' });
    } finally {
      await slack.stop();
    }
  });
});
