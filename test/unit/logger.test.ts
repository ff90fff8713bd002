import { createLogger } from '../../src/logger';

describe('logs', () => {
  function capture(): { lines: string[]; write(s: string): void } {
    const lines: string[] = [];
    return { lines, write: (s: string) => lines.push(s) };
  }

  it('never carry a token, a signing secret, an Authorization header or a response_url', () => {
    const out = capture();
    const log = createLogger('info', out);
    log.info({ token: 'xoxb-test-secret-1' }, 'a');
    log.info({ config: { botToken: 'xoxb-test-secret-2', signingSecret: 'shh-secret-3' } }, 'b');
    log.info({ req: { headers: { authorization: 'Bearer xoxb-test-secret-4' } } }, 'c');
    log.info({ payload: { response_url: 'https://hooks.slack.com/commands/secret-5' } }, 'd');
    const all = out.lines.join('');
    expect(out.lines).toHaveLength(4);
    for (const secret of ['secret-1', 'secret-2', 'secret-3', 'secret-4', 'secret-5']) expect(all).not.toContain(secret);
    expect(all).toContain('[redacted]');
  });
});
