import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { BASE_DATABASE_URL } from './db';

/**
 * A TCP proxy on loopback in front of a real server (Postgres, Redis), to make it fail the way
 * networks do: `refuse` closes new connections at once, `stall` accepts and forwards nothing in
 * either direction (a hung server or a black-holed route), `drop` cuts every open connection.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; flush(): void }>();
  private mode: 'pass' | 'refuse' | 'stall' = 'pass';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** `url` with its host and port pointed at this proxy. */
  wrap(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  refuse(): void {
    this.mode = 'refuse';
  }

  /** Everything, open connections included, stops moving until heal(). */
  stall(): void {
    this.mode = 'stall';
  }

  /** Cuts every open connection; new ones follow the current mode. */
  drop(): void {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
  }

  heal(): void {
    this.mode = 'pass';
    for (const p of this.pairs) p.flush();
  }

  async stop(): Promise<void> {
    this.drop();
    await new Promise((r) => this.server?.close(r));
  }

  private accept(client: Socket): void {
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    // While stalled, bytes are held here, not forwarded: to both ends the peer just went silent.
    const held: Array<[Socket, Buffer]> = [];
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (this.mode === 'stall' || held.length > 0) held.push([to, chunk]);
      else to.write(chunk);
    };
    const pair = {
      client,
      upstream,
      flush: () => {
        for (const [to, chunk] of held.splice(0)) to.write(chunk);
      },
    };
    this.pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', end).on('close', end).on('data', forward(upstream));
    upstream.on('error', end).on('close', end).on('data', forward(client));
  }
}

/** A started proxy in front of the tests' Postgres (BASE_DATABASE_URL); `wrap` a URL to go through it. */
export function postgresProxy(): Promise<TcpProxy> {
  const target = new URL(BASE_DATABASE_URL);
  return new TcpProxy(target.hostname, Number(target.port || 5432)).start();
}
