import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | null;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A stand-in for the BraiFlow API the http probes call, on loopback. Routes answer as the test
 * sets them; every request is recorded with the Authorization it carried.
 */
export class FakeBraiFlow {
  readonly seen: SeenRequest[] = [];
  readonly routes = new Map<string, Handler>();
  private server: Server | null = null;
  url = '';
  host = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      this.seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization ?? null });
      const route = this.routes.get(`${req.method} ${path}`);
      if (route) return route(req, res);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as AddressInfo).port;
    this.host = `127.0.0.1:${port}`;
    this.url = `http://${this.host}`;
    return this;
  }

  json(method: string, path: string, status: number, body: unknown, delayMs = 0): void {
    this.routes.set(`${method} ${path}`, (_req, res) => {
      // Unref'd: a test that stops waiting (a timeout it expected) must not keep jest alive.
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      }, delayMs).unref();
    });
  }

  pdf(path: string): void {
    this.routes.set(`GET ${path}`, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end('%PDF-1.7 smoke');
    });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}
