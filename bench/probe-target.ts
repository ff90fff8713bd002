/**
 * The http probes' target for the probe pipeline bench, in a process of its own so answering
 * probes never shares an event loop with the bot: a stand-in BraiFlow API on loopback that
 * answers GET /api/v1/me as a standard user would see it, and 404 to everything else.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { emit, failStart, serve } from './ipc';

const ME = JSON.stringify({ id: 'u_bench', role: 'agent' });
const counts = { me: 0, other: 0 };

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/api/v1/me') {
    counts.me++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(ME) });
    res.end(ME);
    return;
  }
  counts.other++;
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"not_found"}');
});

serve({
  counts: () => ({ ...counts }),
  stop: () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
});

server.listen(0, '127.0.0.1', () => emit('ready', { port: (server.address() as AddressInfo).port }));
server.on('error', failStart);
