import { request } from 'node:http';
import { networkInterfaces } from 'node:os';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request with exactly the headers given (Host included), as an attacker's script, a
 * proxy or curl would send it; fetch would add or refuse some of them.
 */
export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * An address of this machine that is not loopback, to reach the bot from "another machine" as far
 * as it can tell; null on a host with loopback only.
 */
export function nonLoopbackAddress(): string | null {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const v4 = all.find((a) => !a.internal && a.family === 'IPv4');
  if (v4) return v4.address;
  const v6 = all.find((a) => !a.internal && a.family === 'IPv6' && !a.address.toLowerCase().startsWith('fe80:'));
  return v6 ? `[${v6.address}]` : null;
}
