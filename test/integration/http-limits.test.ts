import { connect, type Socket } from 'node:net';
import type { Pool } from 'pg';
import { Metrics } from '../../src/http/metrics';
import { HttpServer, type Route } from '../../src/http/server';

const ROUTES: Route[] = [
  { path: '/healthz', method: 'GET', handler: (_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok') },
];

/** A raw client, so a test can send half a request or hold a socket open as an attacker would. */
class RawClient {
  private received = '';
  private waiters: Array<() => void> = [];
  readonly closed: Promise<string>;
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.received += d;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', () => resolve(this.received)));
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }

  /** Sends a whole keep-alive GET and waits for its answer's status line. */
  async get(path: string): Promise<string> {
    const from = this.received.length;
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    while (!/\r\n\r\nok/.test(this.received.slice(from))) {
      if (this.socket.destroyed) throw new Error(`closed after ${JSON.stringify(this.received.slice(from))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        this.socket.once('close', resolve);
      });
    }
    return this.received.slice(from).split('\r\n')[0]!;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

describe('the HTTP server bounds what a client may hold', () => {
  let server: HttpServer;
  let port: number;
  const clients: RawClient[] = [];
  const client = async () => {
    const c = await RawClient.open(port);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    server = new HttpServer(ROUTES, new Metrics({} as Pool, null), undefined, { headersTimeoutMs: 200, maxConnections: 2 });
    port = await server.listen(0);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await server.close();
  });

  it('disconnects a client that never finishes its headers (slowloris), answering 408', async () => {
    const slow = await client();
    slow.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Trickle: a');

    expect(await slow.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('refuses connections beyond the cap while the ones it holds stay served', async () => {
    const first = await client();
    const second = await client();
    expect(await first.get('/healthz')).toBe('HTTP/1.1 200 OK');
    expect(await second.get('/healthz')).toBe('HTTP/1.1 200 OK');

    const third = await client();
    third.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(await third.closed).toBe('');

    expect(await first.get('/healthz')).toBe('HTTP/1.1 200 OK');
    expect(await second.get('/healthz')).toBe('HTTP/1.1 200 OK');
  });
});
