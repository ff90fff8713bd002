import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics';
import { Traffic } from './traffic';

export type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export interface Route {
  method: string;
  /** An exact path, or a prefix ending in '/' that owns everything under it. */
  path: string;
  handler: Listener;
  /**
   * Answers that stay open (server-sent events) match on this predicate of the path; they are not
   * "requests in flight" for the jobs that wait for a quiet moment, or those would never get one.
   */
  longLived?: (path: string) => boolean;
}

/**
 * What one client may hold. Anyone who can reach the port can open sockets, so each is bounded:
 * a header that never finishes (slowloris) is cut at headersTimeout, and beyond maxConnections new
 * sockets are dropped at once while those already open go on being served.
 */
export interface ServerLimits {
  headersTimeoutMs: number;
  /** Slack retries after 3 s; nothing here should hold a socket much longer than a slow client. */
  requestTimeoutMs: number;
  /** Node's default: idle keep-alive sockets do not hold connection slots for long. */
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export const SERVER_LIMITS: ServerLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 512 };

/**
 * The bot's one HTTP server. Surfaces (Slack's receiver, later Teams and the console) and the
 * operational routes mount here side by side; every role serves it, the worker included.
 */
export class HttpServer {
  private readonly server: Server;

  constructor(
    private readonly routes: Route[],
    private readonly metrics: Metrics,
    private readonly traffic: Traffic = new Traffic(),
    limits: Partial<ServerLimits> = {},
  ) {
    const l = { ...SERVER_LIMITS, ...limits };
    this.server = createServer(
      {
        headersTimeout: l.headersTimeoutMs,
        requestTimeout: l.requestTimeoutMs,
        keepAliveTimeout: l.keepAliveTimeoutMs,
        // Node looks for overdue headers every 30 s by default, which would triple a 10 s limit.
        connectionsCheckingInterval: Math.max(50, Math.min(2_000, l.headersTimeoutMs / 2)),
      },
      (req, res) => this.handle(req, res),
    );
    this.server.maxConnections = l.maxConnections;
  }

  /** `host` undefined: every interface, as node does by default. */
  async listen(port: number, host?: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Idle keep-alive sockets would hold close() open until they time out.
    this.server.closeIdleConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const route = this.routes.find((r) => (r.path.endsWith('/') ? path.startsWith(r.path) : path === r.path) && r.method === req.method);
    if (!route?.longLived?.(path)) {
      this.traffic.started();
      res.once('close', () => this.traffic.finished());
    }
    res.once('finish', () => this.metrics.observeRequest(route?.path ?? 'other', req.method ?? '', res.statusCode, (performance.now() - started) / 1000));
    if (route) return route.handler(req, res);
    const known = this.routes.some((r) => r.path === path);
    res.writeHead(known ? 405 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: known ? 'method not allowed' : 'not found' }));
  }
}
