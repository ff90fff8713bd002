import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as it arrived, with its whole body. */
export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RecordingServer {
  port: number;
  origin: string;
  /** Every request so far, oldest first. */
  requests: Seen[];
  /** Cuts open connections (a handler may never answer) and stops listening. */
  close(): Promise<void>;
}

/** An HTTP server on `host` that records each request once its body has arrived, then hands it to `handler`. */
export async function recordingServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void,
  host = '127.0.0.1',
  port = 0,
): Promise<RecordingServer> {
  const requests: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(seen);
      handler(req, res, seen);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    port: actual,
    origin: `http://${shown}:${actual}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
