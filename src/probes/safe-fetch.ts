import { lookup } from 'node:dns/promises';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { refusal, refusalByName, type HostPolicy } from './host-policy';
import { ProbeNetworkError } from './outcome';

export interface SafeFetchOptions {
  method: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  /** Request body (for POST). Re-sent on a 307/308 redirect, dropped when a redirect turns it into a GET. */
  body?: string | Buffer;
  /** Whole exchange incl. DNS and redirects; on expiry throws ProbeNetworkError('timed out after N ms'). */
  timeoutMs: number;
  /** Response body cap: reading stops there and the response is marked truncated (not an error). */
  maxBytes: number;
  /** Default 3. When exhausted, the last 3xx response is returned as it is. */
  maxRedirects?: number;
  policy: HostPolicy;
  /** DNS lookup, injectable for tests; default node:dns/promises lookup(host, {all: true}). */
  resolve?: (host: string) => Promise<string[]>;
}

export interface SafeResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
  durationMs: number;
  finalUrl: string;
}

/** The policy refused a host. Thrown before any connection to that host is made. */
export class BlockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockedError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Sockets are reused, but only for the same checked address: requests connect to the pinned IP
 * (never a name), and an agent pools by IP, port and TLS servername, so a reused socket goes where
 * the policy approved this very request to go. Idle sockets close after 2 s, before the usual
 * 5 s server keep-alive, so a reused socket is rarely one the server is about to drop.
 */
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 32, maxFreeSockets: 8, timeout: 2_000, scheduling: 'lifo' as const };
const httpAgent = new HttpAgent(AGENT_OPTIONS);
const httpsAgent = new HttpsAgent(AGENT_OPTIONS);
// Sent to the origin the caller chose; never carried to another one by a redirect.
const CREDENTIALS = ['authorization', 'proxy-authorization', 'cookie'];
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'transfer-encoding'];

/** Shared by every step so that DNS, connects, redirects and body reads all fit in one budget. */
interface Deadline {
  signal: AbortSignal;
  elapsed(): number;
  timedOut(): ProbeNetworkError;
}

export async function safeFetch(url: string, opts: SafeFetchOptions): Promise<SafeResponse> {
  checkOptions(opts);
  const started = performance.now();
  const controller = new AbortController();
  const deadline: Deadline = {
    signal: controller.signal,
    elapsed: () => Math.round(performance.now() - started),
    timedOut: () => new ProbeNetworkError(`timed out after ${opts.timeoutMs} ms`, deadline.elapsed()),
  };
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  try {
    let target = startUrl(url);
    let method = opts.method;
    // Host is always derived from the URL being fetched, so it names the host that was checked.
    let headers = withoutKeys(opts.headers ?? {}, ['host']);
    let body = opts.body;
    for (let hop = 0; ; hop += 1) {
      const address = await checkedAddress(target, opts, deadline);
      const res = await send({ target, address, method, headers, body }, deadline);
      const status = res.statusCode ?? 0;
      const next = hop < (opts.maxRedirects ?? 3) ? redirectTarget(res, target) : null;
      if (next === null) {
        const read = await readBody(res, opts.maxBytes, { target, address }, deadline);
        return { status, headers: flatHeaders(res), ...read, durationMs: deadline.elapsed(), finalUrl: target.href };
      }
      res.destroy(); // the redirect's own body is of no use
      if (next.origin !== target.origin) headers = withoutKeys(headers, CREDENTIALS);
      if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
        method = 'GET'; // what browsers do; the body does not belong to the new request
        body = undefined;
        headers = withoutKeys(headers, BODY_HEADERS);
      }
      target = next;
    }
  } finally {
    clearTimeout(timer);
  }
}

function checkOptions(opts: SafeFetchOptions): void {
  // setTimeout fires at once for anything above 2^31-1 ms, which would read as a timeout.
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0 || opts.timeoutMs > 2 ** 31 - 1) {
    throw new RangeError(`safeFetch: timeoutMs must be a positive number of milliseconds, got ${opts.timeoutMs}`);
  }
  if (!Number.isInteger(opts.maxBytes) || opts.maxBytes < 0) {
    throw new RangeError(`safeFetch: maxBytes must be a whole number >= 0, got ${opts.maxBytes}`);
  }
  const redirects = opts.maxRedirects ?? 3;
  if (!Number.isInteger(redirects) || redirects < 0) {
    throw new RangeError(`safeFetch: maxRedirects must be a whole number >= 0, got ${redirects}`);
  }
}

function startUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL itself is left out: its query string may hold a token.
    throw new TypeError('safeFetch: not a valid absolute URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new TypeError('safeFetch: credentials in the URL are not supported; send an Authorization header');
  }
  return checkScheme(parsed);
}

function checkScheme(url: URL): URL {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BlockedError(`blocked: only http and https URLs are allowed, not ${url.protocol}`);
  }
  return url;
}

/**
 * Resolves the host once and returns the address to connect to, after the policy has approved
 * every resolved address. The caller connects to this exact address, so a DNS answer that
 * changes after the check (rebinding) is never used.
 */
async function checkedAddress(target: URL, opts: SafeFetchOptions, deadline: Deadline): Promise<string> {
  const host = bareHost(target.hostname);
  const port = portOf(target);
  const byName = refusalByName(opts.policy, host, port);
  if (byName !== null) throw new BlockedError(byName); // not even looked up
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    const resolve = opts.resolve ?? systemResolve;
    try {
      addresses = await beforeDeadline(resolve(host), deadline);
    } catch (err) {
      if (err instanceof ProbeNetworkError) throw err;
      throw new ProbeNetworkError(`DNS lookup for ${host} failed (${codeOf(err) ?? 'error'})`, deadline.elapsed());
    }
    if (addresses.length === 0) {
      throw new ProbeNetworkError(`DNS lookup for ${host} returned no addresses`, deadline.elapsed());
    }
    // A name here would be resolved again by the socket, outside the check.
    const notIp = addresses.find((a) => isIP(a) === 0);
    if (notIp !== undefined) throw new BlockedError(`blocked: ${host} resolved to "${notIp}", which is not an IP address`);
  }
  const reason = refusal(opts.policy, host, port, addresses);
  if (reason !== null) throw new BlockedError(reason);
  return addresses[0]!;
}

async function systemResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((a) => a.address);
}

interface Hop {
  target: URL;
  address: string;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

/** One request to the pinned address; resolves with the response once its head has arrived. */
function send(hop: Hop, deadline: Deadline): Promise<IncomingMessage> {
  if (deadline.signal.aborted) return Promise.reject(deadline.timedOut());
  return new Promise((resolve, reject) => {
    const { target, address, body } = hop;
    const host = bareHost(target.hostname);
    const headers: Record<string, string> = { ...hop.headers, host: target.host };
    if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const options: RequestOptions = {
      host: address, // the checked IP: no second DNS lookup happens
      port: portOf(target),
      method: hop.method,
      path: `${target.pathname}${target.search}`,
      headers,
      setHost: false,
      agent: target.protocol === 'https:' ? httpsAgent : httpAgent,
      // TLS verifies the certificate for the name that was asked for, not for the pinned IP.
      ...(target.protocol === 'https:' && isIP(host) === 0 ? { servername: host } : {}),
    };
    const onAbort = (): void => {
      req.destroy();
      reject(deadline.timedOut());
    };
    let req: ClientRequest;
    try {
      req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
        deadline.signal.removeEventListener('abort', onAbort);
        resolve(res);
      });
    } catch (err) {
      // e.g. a header value with a newline; Node's own message can quote the value (a token).
      reject(new TypeError(`safeFetch: the request could not be built (${codeOf(err) ?? 'error'})`));
      return;
    }
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    // Stays attached after the response: a later socket error must not go unhandled.
    req.on('error', (err) => {
      deadline.signal.removeEventListener('abort', onAbort);
      reject(networkError(err, hop, deadline));
    });
    req.end(body);
  });
}

/** Reads at most `maxBytes`; beyond that stops reading and drops the connection. */
function readBody(
  res: IncomingMessage,
  maxBytes: number,
  hop: Pick<Hop, 'target' | 'address'>,
  deadline: Deadline,
): Promise<{ body: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      deadline.signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = (): void =>
      finish(() => {
        res.destroy();
        reject(deadline.timedOut());
      });
    if (deadline.signal.aborted) return onAbort();
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (chunk: Buffer) => {
      if (done) return;
      const room = maxBytes - size;
      if (chunk.length <= room) {
        chunks.push(chunk);
        size += chunk.length;
        return;
      }
      if (room > 0) chunks.push(chunk.subarray(0, room));
      // The rest could be endless; a probe only needs the start of it.
      finish(() => {
        res.destroy();
        resolve({ body: Buffer.concat(chunks), truncated: true });
      });
    });
    res.on('end', () => finish(() => resolve({ body: Buffer.concat(chunks), truncated: false })));
    res.on('error', (err) => finish(() => reject(networkError(err, hop, deadline))));
    res.on('close', () => finish(() => reject(networkError({ code: 'ECONNRESET' }, hop, deadline, 'connection closed mid-body at'))));
  });
}

function redirectTarget(res: IncomingMessage, current: URL): URL | null {
  if (!REDIRECTS.has(res.statusCode ?? 0)) return null;
  const location = res.headers.location;
  if (location === undefined || location === '') return null;
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    return null; // an unusable Location: the caller gets the 3xx itself
  }
  next.username = ''; // credentials are never sent from a URL
  next.password = '';
  return checkScheme(next);
}

const WHAT: Record<string, string> = {
  ECONNREFUSED: 'connection refused by',
  ECONNRESET: 'connection reset by',
  ETIMEDOUT: 'connection timed out to',
  EHOSTUNREACH: 'host unreachable:',
  ENETUNREACH: 'network unreachable for',
};

/**
 * Built only from the error code and the target: never from the request (headers hold tokens)
 * and never from the query string (it may too).
 */
function networkError(err: unknown, hop: Pick<Hop, 'target' | 'address'>, deadline: Deadline, what?: string): ProbeNetworkError {
  const code = codeOf(err) ?? 'EUNKNOWN';
  const host = bareHost(hop.target.hostname);
  const port = portOf(hop.target);
  const where = host === hop.address ? `${hop.target.hostname}:${port}` : `${hop.target.hostname}:${port} (${hop.address})`;
  const tls = /CERT|SELF_SIGNED/.test(code) ? 'TLS certificate not accepted from' : undefined;
  return new ProbeNetworkError(`${what ?? WHAT[code] ?? tls ?? 'network error talking to'} ${where} (${code})`, deadline.elapsed());
}

function beforeDeadline<T>(work: Promise<T>, deadline: Deadline): Promise<T> {
  if (deadline.signal.aborted) return Promise.reject(deadline.timedOut());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(deadline.timedOut());
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        deadline.signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        deadline.signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function withoutKeys(headers: Record<string, string>, drop: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.includes(k.toLowerCase())));
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function bareHost(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1');
}

function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}
