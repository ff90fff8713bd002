import { createLogger } from '../../src/util/logger';

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

  it('carry an error with its type, message, code and stack, and not the secrets a library error holds', () => {
    const out = capture();
    const log = createLogger('info', out);
    const cause = new Error('socket hang up');
    const err = Object.assign(new TypeError('chat.postMessage failed with xoxb-test-secret-6', { cause }), {
      code: 'slack_webapi_request_error',
      original: { config: { headers: { Authorization: 'Bearer xoxb-test-secret-7' } } },
    });
    log.warn({ err }, 'could not post');
    const line = JSON.parse(out.lines[0]!) as { err: Record<string, unknown> };
    expect(line.err.type).toBe('TypeError');
    expect(line.err.message).toBe('chat.postMessage failed with xoxb-[redacted]: socket hang up');
    expect(line.err.code).toBe('slack_webapi_request_error');
    expect(line.err.stack).toMatch(/^TypeError: chat\.postMessage failed[\s\S]*\n {4}at [\s\S]*caused by: Error: socket hang up/);
    expect(out.lines[0]).not.toMatch(/secret-[67]/);
  });
});
