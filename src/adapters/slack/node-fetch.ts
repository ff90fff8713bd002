import http from 'node:http';
import https from 'node:https';

/** As long as undici's own default wait for a response's headers: a hung Slack is no worse than before. */
const RESPONSE_MS = 300_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The `fetch` the Web API client calls Slack with, over node:http(s) and kept-alive connections.
 * The SDK posts a form and reads a small JSON answer; Node's built-in fetch does that through web
 * streams at about four times the CPU of a plain request, and a click's render makes one such
 * call while other people's clicks wait for the same two cores. Anything else the SDK could send
 * (a FormData file upload) goes to the built-in fetch.
 */
export function nodeFetch(): typeof fetch {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  return ((input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = init?.body ?? '';
    if (input instanceof Request || typeof body !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:')) return fetch(input, init);
    return request(url, init ?? {}, body, agents[url.protocol]);
  }) as typeof fetch;
}

function request(url: URL, init: RequestInit, body: string, agent: http.Agent): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(aborted(signal));
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((v, k) => (headers[k] = v));
  headers['content-length'] = String(Buffer.byteLength(body));
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<Response>((resolve, reject) => {
    const req = send(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
      const status = res.statusCode ?? 0;
      if (init.redirect === 'error' && REDIRECTS.has(status)) {
        res.resume();
        reject(new TypeError(`fetch failed: ${url.href} answered a redirect (${status}), and redirects are refused`));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve(response(url, status, res.statusMessage ?? '', res.headers, Buffer.concat(chunks))));
    });
    const abort = () => req.destroy(aborted(signal!));
    signal?.addEventListener('abort', abort, { once: true });
    req.on('close', () => signal?.removeEventListener('abort', abort));
    req.setTimeout(RESPONSE_MS, () => req.destroy(new Error(`no answer from ${url.host} within ${RESPONSE_MS / 1000} s`)));
    // As fetch does: a failure to connect or a dropped connection is a TypeError with the cause.
    req.on('error', (err) => reject(signal?.aborted ? aborted(signal) : new TypeError('fetch failed', { cause: err })));
    req.end(body);
  });
}

/** Why the caller gave up (an AbortSignal.timeout's TimeoutError), as fetch rejects with it. */
function aborted(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}

/** What the SDK reads of a response: status, headers, and the body as text or bytes. */
function response(url: URL, status: number, statusText: string, raw: http.IncomingHttpHeaders, body: Buffer): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  const text = () => body.toString('utf8');
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText,
    url: url.href,
    redirected: false,
    headers,
    text: async () => text(),
    json: async () => JSON.parse(text()) as unknown,
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
  } as Response;
}
