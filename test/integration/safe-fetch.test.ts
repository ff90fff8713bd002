import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { HostPolicy } from '../../src/probes/host-policy';
import { ProbeNetworkError } from '../../src/probes/outcome';
import { BlockedError, safeFetch, type SafeFetchOptions } from '../../src/probes/safe-fetch';
import { recordingServer, type RecordingServer, type Seen } from '../support/recording-server';
import { rejection } from '../support/refusals';

// Every server here listens on loopback; no test lets a request leave the machine. The guard
// below enforces that whatever safeFetch does: it records every socket connect and fails (without
// sending anything) any connect to a target other than a loopback IP, hostnames included, since
// those would go to the real DNS.
const realConnect = net.Socket.prototype.connect;
let connects: string[] = [];

function isLoopbackIp(host: string): boolean {
  return (net.isIPv4(host) && host.startsWith('127.')) || host === '::1';
}

beforeAll(() => {
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    // net.connect passes its normalized [options, callback] array; direct calls pass options or port, host.
    const first = Array.isArray(args[0]) ? (args[0][0] as unknown) : args[0];
    const target = (typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }) as {
      host?: string;
      port?: number;
    };
    const host = target.host ?? 'localhost';
    connects.push(`${host}:${target.port}`);
    if (!isLoopbackIp(host)) {
      // After the caller has attached its error listeners.
      setImmediate(() => this.destroy(Object.assign(new Error('test guard: not a loopback IP'), { code: 'ECONNREFUSED' })));
      return this;
    }
    return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  };
});

afterAll(() => {
  net.Socket.prototype.connect = realConnect;
});

beforeEach(() => {
  connects = [];
});

const servers: RecordingServer[] = [];

async function serve(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void,
  host = '127.0.0.1',
  port = 0,
): Promise<RecordingServer> {
  // close() cuts open connections: the hanging servers would keep it waiting forever.
  const s = await recordingServer(handler, host, port);
  servers.push(s);
  return s;
}

afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function allow(...entries: string[]): HostPolicy {
  return { allowed: entries, apiHost: null };
}

function opts(policy: HostPolicy, extra: Partial<SafeFetchOptions> = {}): SafeFetchOptions {
  return { method: 'GET', timeoutMs: 2000, maxBytes: 64 * 1024, policy, ...extra };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const s = await serve(() => undefined);
  await s.close();
  servers.splice(servers.indexOf(s), 1);
  return s.port;
}

const TOKEN = 'Bearer s3cr3t-probe-token';

describe('safeFetch against an allowed loopback server', () => {
  it('returns status, headers and body of a GET, with the Host header naming the URL host', async () => {
    const api = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end('{"ok":true}');
    });

    const res = await safeFetch(`${api.origin}/api/v1/me?x=1`, opts(allow(`127.0.0.1:${api.port}`)));

    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{"ok":true}');
    expect(res.truncated).toBe(false);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['set-cookie']).toBe('a=1, b=2');
    expect(res.finalUrl).toBe(`${api.origin}/api/v1/me?x=1`);
    expect(res.durationMs).toBeGreaterThanOrEqual(0);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({ method: 'GET', url: '/api/v1/me?x=1' });
    expect(api.requests[0]?.headers.host).toBe(`127.0.0.1:${api.port}`);
  });

  it('sends a POST body and the caller headers, and makes a HEAD without reading a body', async () => {
    const api = await serve((req, res, seen) => res.end(req.method === 'HEAD' ? undefined : `got ${seen.body}`));
    const policy = allow(`127.0.0.1:${api.port}`);

    const post = await safeFetch(`${api.origin}/echo`, opts(policy, { method: 'POST', body: 'ping', headers: { 'X-Probe': 'smoke' } }));
    const head = await safeFetch(`${api.origin}/echo`, opts(policy, { method: 'HEAD' }));

    expect(post.body.toString()).toBe('got ping');
    expect(api.requests[0]?.headers['x-probe']).toBe('smoke');
    expect(api.requests[0]?.headers['content-length']).toBe('4');
    expect(head.status).toBe(200);
    expect(head.body).toHaveLength(0);
  });

  it('reaches an IPv6 literal URL ([::1]) when it is listed', async () => {
    const api = await serve((_req, res) => res.end('six'), '::1');

    const res = await safeFetch(`http://[::1]:${api.port}/`, opts(allow(`[::1]:${api.port}`)));

    expect(res.body.toString()).toBe('six');
    expect(api.requests[0]?.headers.host).toBe(`[::1]:${api.port}`);
  });
});

describe('safeFetch limits', () => {
  it('gives up on a server that never answers with ProbeNetworkError "timed out after N ms", on time', async () => {
    const silent = await serve(() => undefined);
    const started = Date.now();

    const err = await rejection(safeFetch(`${silent.origin}/`, opts(allow(`127.0.0.1:${silent.port}`), { timeoutMs: 300 })));

    expect(err).toBeInstanceOf(ProbeNetworkError);
    expect(err.message).toBe('timed out after 300 ms');
    expect((err as ProbeNetworkError).durationMs).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(300 + 700);
  });

  it('counts the body in the timeout: a server that stalls mid-body times out too', async () => {
    const stalls = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part of it');
    });

    const err = await rejection(safeFetch(`${stalls.origin}/`, opts(allow(`127.0.0.1:${stalls.port}`), { timeoutMs: 300 })));

    expect(err).toBeInstanceOf(ProbeNetworkError);
    expect(err.message).toBe('timed out after 300 ms');
  });

  it('caps the body at maxBytes and marks it truncated instead of failing', async () => {
    const big = await serve((_req, res) => res.end('x'.repeat(100_000)));

    const res = await safeFetch(`${big.origin}/`, opts(allow(`127.0.0.1:${big.port}`), { maxBytes: 1000 }));

    expect(res.status).toBe(200);
    expect(res.truncated).toBe(true);
    expect(res.body).toHaveLength(1000);
  });

  it('stops reading an endless body at the cap rather than waiting for the timeout', async () => {
    const endless = await serve((_req, res) => {
      const timer = setInterval(() => res.write('y'.repeat(512)), 5);
      res.on('close', () => clearInterval(timer));
    });

    const res = await safeFetch(`${endless.origin}/`, opts(allow(`127.0.0.1:${endless.port}`), { maxBytes: 2000, timeoutMs: 5000 }));

    expect(res.truncated).toBe(true);
    expect(res.body).toHaveLength(2000);
    expect(res.durationMs).toBeLessThan(4000);
  });

  it('does not mark a body of exactly maxBytes as truncated', async () => {
    const exact = await serve((_req, res) => res.end('z'.repeat(1000)));

    const res = await safeFetch(`${exact.origin}/`, opts(allow(`127.0.0.1:${exact.port}`), { maxBytes: 1000 }));

    expect(res.truncated).toBe(false);
    expect(res.body).toHaveLength(1000);
  });
});

describe('safeFetch refusals', () => {
  it('refuses a host that is not allowed before connecting: the server sees no request', async () => {
    const target = await serve((_req, res) => res.end('should not be reached'));

    const err = await rejection(safeFetch(`${target.origin}/`, opts(allow('api.example.com', '127.0.0.1:1'))));

    expect(err).toBeInstanceOf(BlockedError);
    expect(err.message).toBe(`blocked: 127.0.0.1:${target.port} is not in PROBE_ALLOWED_HOSTS`);
    expect(target.requests).toHaveLength(0);
  });

  it('refuses a redirect to a host that is not allowed: the second server sees no request', async () => {
    const inside = await serve((_req, res) => res.end('internal secrets'));
    const front = await serve((_req, res) => res.writeHead(302, { location: `${inside.origin}/admin` }).end());

    const err = await rejection(safeFetch(`${front.origin}/`, opts(allow(`127.0.0.1:${front.port}`))));

    expect(err).toBeInstanceOf(BlockedError);
    expect(err.message).toBe(`blocked: 127.0.0.1:${inside.port} is not in PROBE_ALLOWED_HOSTS`);
    expect(front.requests).toHaveLength(1);
    expect(inside.requests).toHaveLength(0);
  });

  it('refuses a redirect to a non-http scheme', async () => {
    const front = await serve((_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());

    const err = await rejection(safeFetch(`${front.origin}/`, opts(allow(`127.0.0.1:${front.port}`))));

    expect(err).toBeInstanceOf(BlockedError);
    expect(err.message).toBe('blocked: only http and https URLs are allowed, not file:');
  });

  it('refuses a name that resolves to a private address when only the API host is allowed', async () => {
    const api = await serve((_req, res) => res.end('internal'));
    const resolve = jest.fn(async () => ['127.0.0.1']);
    const policy: HostPolicy = { allowed: [], apiHost: `api.test:${api.port}` };

    const err = await rejection(safeFetch(`http://api.test:${api.port}/`, opts(policy, { resolve })));

    expect(err).toBeInstanceOf(BlockedError);
    expect(err.message).toBe(`blocked: api.test:${api.port} resolves to 127.0.0.1, a private address; list it in PROBE_ALLOWED_HOSTS to allow it`);
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(api.requests).toHaveLength(0);
  });

  it('refuses the API host when any one of its addresses is private, before connecting', async () => {
    // Loopback first, so that even a broken check would only ever reach this test's server.
    const api = await serve((_req, res) => res.end('internal'));
    const resolve = jest.fn(async () => ['127.0.0.1', '93.184.216.34']);
    const policy: HostPolicy = { allowed: [], apiHost: `api.test:${api.port}` };

    const err = await rejection(safeFetch(`http://api.test:${api.port}/`, opts(policy, { resolve })));

    expect(err).toBeInstanceOf(BlockedError);
    expect(err.message).toMatch(new RegExp(`^blocked: api\\.test:${api.port} resolves to 127\\.0\\.0\\.1, a private address`));
    expect(api.requests).toHaveLength(0);
  });

  it('does not even look up a name the policy can never allow', async () => {
    const resolve = jest.fn(async () => ['127.0.0.1']);

    const err = await rejection(safeFetch('http://elsewhere.test:1/', opts({ allowed: [], apiHost: 'api.test' }, { resolve })));

    expect(err).toBeInstanceOf(BlockedError);
    expect(resolve).not.toHaveBeenCalled();
  });
});

describe('safeFetch pins the checked address (DNS rebinding)', () => {
  it('connects to the address it checked even when DNS answers differently a moment later', async () => {
    // Two servers on the same port: the checked answer (127.0.0.1) and the rebound one (127.0.0.2).
    const checked = await serve((_req, res) => res.end('checked'));
    const rebound = await serve((_req, res) => res.end('rebound'), '127.0.0.2', checked.port);
    const answers = ['127.0.0.1', '127.0.0.2'];
    const resolve = jest.fn(async () => [answers.shift() ?? '127.0.0.2']);

    const res = await safeFetch(`http://rebind.test:${checked.port}/`, opts(allow(`rebind.test:${checked.port}`), { resolve }));

    expect(res.body.toString()).toBe('checked');
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(connects).toEqual([`127.0.0.1:${checked.port}`]);
    expect(checked.requests[0]?.headers.host).toBe(`rebind.test:${checked.port}`);
    expect(rebound.requests).toHaveLength(0);
  });

  it('when the check saw a public address and DNS then turns private, connects to the checked public IP', async () => {
    // The socket guard (below) records this connect and fails it, so nothing is sent to 93.184.216.34.
    const loopback = await serve((_req, res) => res.end('internal'));
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    const resolve = jest.fn(async () => answers.shift() ?? ['127.0.0.1']);
    const policy: HostPolicy = { allowed: [], apiHost: `api.test:${loopback.port}` };

    const err = await rejection(safeFetch(`http://api.test:${loopback.port}/`, opts(policy, { resolve })));

    expect(err).toBeInstanceOf(ProbeNetworkError);
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(connects).toEqual([`93.184.216.34:${loopback.port}`]);
    expect(loopback.requests).toHaveLength(0);
  });

  it('checks every redirect hop again: a hop whose name resolves to a private address is refused', async () => {
    const inside = await serve((_req, res) => res.end('internal'));
    const front = await serve((_req, res) => res.writeHead(307, { location: `http://sneaky.test:${inside.port}/` }).end());
    const resolve = jest.fn(async () => ['127.0.0.1']);

    const err = await rejection(safeFetch(`${front.origin}/`, opts(allow(`127.0.0.1:${front.port}`), { resolve })));

    expect(err).toBeInstanceOf(BlockedError);
    expect(inside.requests).toHaveLength(0);
  });
});

describe('safeFetch redirects', () => {
  it('follows a redirect to another allowed host, dropping Authorization because the host changed', async () => {
    const second = await serve((_req, res) => res.end('landed'));
    const first = await serve((_req, res) => res.writeHead(301, { location: `${second.origin}/there` }).end());
    const policy = allow(`127.0.0.1:${first.port}`, `127.0.0.1:${second.port}`);

    const res = await safeFetch(`${first.origin}/here`, opts(policy, { headers: { Authorization: TOKEN, Accept: 'text/plain' } }));

    expect(res.body.toString()).toBe('landed');
    expect(res.finalUrl).toBe(`${second.origin}/there`);
    expect(first.requests[0]?.headers.authorization).toBe(TOKEN);
    expect(second.requests[0]?.headers.authorization).toBeUndefined();
    expect(second.requests[0]?.headers.accept).toBe('text/plain');
    expect(second.requests[0]?.headers.host).toBe(`127.0.0.1:${second.port}`);
  });

  it('keeps Authorization on a redirect within the same host', async () => {
    const api = await serve((req, res) => (req.url === '/old' ? res.writeHead(308, { location: '/new' }).end() : res.end('new')));

    const res = await safeFetch(`${api.origin}/old`, opts(allow(`127.0.0.1:${api.port}`), { headers: { authorization: TOKEN } }));

    expect(res.body.toString()).toBe('new');
    expect(api.requests.map((r) => r.headers.authorization)).toEqual([TOKEN, TOKEN]);
  });

  it('turns a POST into a GET without body on 303, and keeps method and body on 307', async () => {
    const api = await serve((req, res) => {
      if (req.url === '/see-other') return void res.writeHead(303, { location: '/done' }).end();
      if (req.url === '/temporary') return void res.writeHead(307, { location: '/done' }).end();
      res.end('done');
    });
    const policy = allow(`127.0.0.1:${api.port}`);

    await safeFetch(`${api.origin}/see-other`, opts(policy, { method: 'POST', body: 'data', headers: { 'content-type': 'text/plain' } }));
    await safeFetch(`${api.origin}/temporary`, opts(policy, { method: 'POST', body: 'data' }));

    expect(api.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/see-other', 'data'],
      ['GET', '/done', ''],
      ['POST', '/temporary', 'data'],
      ['POST', '/done', 'data'],
    ]);
    expect(api.requests[1]?.headers['content-type']).toBeUndefined();
  });

  it('returns the last redirect as it is once maxRedirects are used up', async () => {
    const loop = await serve((_req, res) => res.writeHead(302, { location: '/again' }).end());

    const res = await safeFetch(`${loop.origin}/`, opts(allow(`127.0.0.1:${loop.port}`), { maxRedirects: 2 }));

    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/again');
    expect(loop.requests).toHaveLength(3);
  });
});

describe('safeFetch over https', () => {
  // A throwaway self-signed certificate for api.test, made for this test only (valid until 2126).
  const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgsncFa5u2HhFfwaz8
xuexuath6Tx2sEZ+MrTP3BC1mvahRANCAASezj2uL1v56PhFyxwYlPcFLDIZMdkF
7SogeZyGaFBhtpFmtqPnc0yVar/DZoMrEb2iNcZ4iMScUqYF7vRuGLVR
-----END PRIVATE KEY-----`;
  const CERT = `-----BEGIN CERTIFICATE-----
MIIBkTCCATigAwIBAgIUc3CrJSr/V/bZAaQtDCPWvu81dPswCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwIYXBpLnRlc3QwIBcNMjYxMTI5MDExNTI2WhgPMjEyNjExMDUw
MTE1MjZaMBMxETAPBgNVBAMMCGFwaS50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEns49ri9b+ej4RcscGJT3BSwyGTHZBe0qIHmchmhQYbaRZraj53NMlWq/
w2aDKxG9ojXGeIjEnFKmBe70bhi1UaNoMGYwHQYDVR0OBBYEFLTuVTUI/hSeC7dk
xT8TO+8ZC+yoMB8GA1UdIwQYMBaAFLTuVTUI/hSeC7dkxT8TO+8ZC+yoMA8GA1Ud
EwEB/wQFMAMBAf8wEwYDVR0RBAwwCoIIYXBpLnRlc3QwCgYIKoZIzj0EAwIDRwAw
RAIgIoBu0tAPKGMIJzF1eQSQz6baT5EzTEbaaohD9KD30v0CIEnmmiMx9gaJDeli
0GyBiV/l8GLZ2Pd6doc0Fj02KXhA
-----END CERTIFICATE-----`;

  it('connects to the pinned IP but sends the original hostname as TLS server name, and verifies the certificate', async () => {
    const serverNames: string[] = [];
    const context = tls.createSecureContext({ key: KEY, cert: CERT });
    const server = https.createServer(
      {
        key: KEY,
        cert: CERT,
        SNICallback: (name, done) => {
          serverNames.push(name);
          done(null, context);
        },
      },
      (_req, res) => res.end('tls'),
    );
    server.on('tlsClientError', () => undefined); // expected: the client rejects the self-signed certificate
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const err = await rejection(safeFetch(`https://api.test:${port}/`, opts(allow(`api.test:${port}`), { resolve: async () => ['127.0.0.1'] })));

      expect(err).toBeInstanceOf(ProbeNetworkError);
      expect(err.message).toBe(`TLS certificate not accepted from api.test:${port} (127.0.0.1) (DEPTH_ZERO_SELF_SIGNED_CERT)`);
      expect(connects).toEqual([`127.0.0.1:${port}`]);
      expect(serverNames).toEqual(['api.test']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('safeFetch network errors', () => {
  it('turns a refused connection into ProbeNetworkError naming the target', async () => {
    const port = await closedPort();

    const err = await rejection(safeFetch(`http://127.0.0.1:${port}/`, opts(allow(`127.0.0.1:${port}`))));

    expect(err).toBeInstanceOf(ProbeNetworkError);
    expect(err.message).toBe(`connection refused by 127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it('turns a failed DNS lookup into ProbeNetworkError', async () => {
    const resolve = jest.fn(async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    });

    const err = await rejection(safeFetch('http://nowhere.test/', opts(allow('nowhere.test'), { resolve })));

    expect(err).toBeInstanceOf(ProbeNetworkError);
    expect(err.message).toBe('DNS lookup for nowhere.test failed (ENOTFOUND)');
  });

  it('turns a connection dropped mid-body into ProbeNetworkError', async () => {
    const drops = await serve((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial', () => req.socket.destroy());
    });

    const err = await rejection(safeFetch(`${drops.origin}/`, opts(allow(`127.0.0.1:${drops.port}`))));

    expect(err).toBeInstanceOf(ProbeNetworkError);
    expect(err.message).toContain(`127.0.0.1:${drops.port}`);
  });

  it('never puts the Authorization header in an error message', async () => {
    const port = await closedPort();
    const silent = await serve(() => undefined);
    const inside = await serve((_req, res) => res.end('x'));
    const front = await serve((_req, res) => res.writeHead(302, { location: `${inside.origin}/` }).end());
    const headers = { Authorization: TOKEN, 'X-Api-Key': 'k3y-value' };
    const failures = await Promise.all([
      rejection(safeFetch(`http://127.0.0.1:${port}/`, opts(allow(`127.0.0.1:${port}`), { headers }))),
      rejection(safeFetch(`${silent.origin}/`, opts(allow(`127.0.0.1:${silent.port}`), { headers, timeoutMs: 200 }))),
      rejection(safeFetch(`${front.origin}/`, opts(allow(`127.0.0.1:${front.port}`), { headers }))),
      rejection(safeFetch(`${inside.origin}/`, opts(allow('api.example.com'), { headers }))),
    ]);

    const seenBefore = silent.requests.length;
    failures.push(
      await rejection(safeFetch(`${silent.origin}/`, opts(allow(`127.0.0.1:${silent.port}`), { headers: { Authorization: `${TOKEN}\nX: k3y-value` } }))),
    );

    expect(failures.map((e) => e.constructor)).toEqual([ProbeNetworkError, ProbeNetworkError, BlockedError, BlockedError, TypeError]);
    expect(silent.requests).toHaveLength(seenBefore); // the malformed header stopped it before sending
    for (const err of failures) {
      const everything = `${err.message}\n${err.stack ?? ''}\n${JSON.stringify(err)}`;
      expect(everything).not.toContain('s3cr3t');
      expect(everything).not.toContain('k3y-value');
    }
  });
});
