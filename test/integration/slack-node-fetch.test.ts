import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { nodeFetch } from '../../src/adapters/slack/node-fetch';
import { freePort } from '../support/bot-process';

/**
 * The Web API client talks to Slack over node:http with this fetch. What the SDK relies on must
 * hold as it did with the built-in fetch: the form it posts, the answer and its headers, 429s,
 * refused redirects, connection failures and timeouts.
 */
describe('the fetch Slack calls go through', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];
  let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => json(res, 200, { ok: true, ts: '1.2' });

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        answer(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    seen.length = 0;
    answer = (_req, res) => json(res, 200, { ok: true, ts: '1.2' });
  });

  const client = (opts: { timeout?: number } = {}) =>
    new WebClient('xoxb-test-fetch', {
      slackApiUrl: base,
      fetch: nodeFetch(),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
      ...opts,
    });

  it('posts the form the SDK builds, with its token, and hands back the answer', async () => {
    const r = await client().chat.update({ channel: 'C1', ts: '1.1', text: 'Step 3 done: ✅ «ünïcode»', blocks: [{ type: 'divider' }] });
    expect(r).toMatchObject({ ok: true, ts: '1.2' });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req).toMatchObject({ method: 'POST', url: '/api/chat.update' });
    expect(req!.headers.authorization).toBe('Bearer xoxb-test-fetch');
    expect(Number(req!.headers['content-length'])).toBe(Buffer.byteLength(req!.body));
    const form = new URLSearchParams(req!.body);
    expect(form.get('text')).toBe('Step 3 done: ✅ «ünïcode»');
    expect(JSON.parse(form.get('blocks')!)).toEqual([{ type: 'divider' }]);
  });

  it("passes on Slack's refusal and its rate limit, with the wait it asked for", async () => {
    answer = (_req, res) => json(res, 200, { ok: false, error: 'message_not_found' });
    await expect(client().chat.update({ channel: 'C1', ts: '1.1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'message_not_found' },
    });
    answer = (_req, res) => json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '7' });
    await expect(client().chat.update({ channel: 'C1', ts: '1.1', text: 'x' })).rejects.toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
  });

  it('refuses a redirect, as the SDK asks, and says a closed port is a failed request', async () => {
    answer = (_req, res) => {
      res.writeHead(302, { location: 'http://elsewhere.invalid/' });
      res.end();
    };
    await expect(client().chat.update({ channel: 'C1', ts: '1.1', text: 'x' })).rejects.toMatchObject({ code: ErrorCode.RequestError });
    const closed = new WebClient('xoxb-test-fetch', {
      slackApiUrl: `http://127.0.0.1:${await freePort()}/api/`,
      fetch: nodeFetch(),
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
    });
    await expect(closed.chat.update({ channel: 'C1', ts: '1.1', text: 'x' })).rejects.toMatchObject({ code: ErrorCode.RequestError });
  });

  it("gives up on a Slack that does not answer within the client's timeout", async () => {
    answer = () => undefined; // never answers
    const started = Date.now();
    await expect(client({ timeout: 300 }).chat.update({ channel: 'C1', ts: '1.1', text: 'x' })).rejects.toMatchObject({ code: ErrorCode.RequestError });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('leaves what it does not speak (a FormData upload) to the built-in fetch', async () => {
    const form = new FormData();
    form.set('file', new Blob(['hello']), 'hello.txt');
    const res = await nodeFetch()(`${base}files.upload`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(seen[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  });
});
