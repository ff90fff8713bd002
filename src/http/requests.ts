import type { IncomingMessage } from 'node:http';

/** A client on this machine. */
export function isLoopback(address: string | undefined): boolean {
  return address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true;
}

/**
 * A request a proxy forwarded is someone else's, whatever address the proxy itself has. Any of the
 * headers proxies add counts: nginx sets X-Real-IP alone, HAProxy and Apache X-Forwarded-*, some
 * only Via; a plain TCP proxy adds nothing, which is why the token-free console also binds loopback.
 */
export function isForwarded(req: IncomingMessage): boolean {
  return Object.keys(req.headers).some((h) => h === 'forwarded' || h === 'via' || h === 'x-real-ip' || h.startsWith('x-forwarded-'));
}

/** The request body as text, or null when it is larger than `maxBytes` (reading stops there). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
