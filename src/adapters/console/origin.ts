import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The Host header's name, lower-case, without the port; null when absent or not a host name. */
export function hostName(req: IncomingMessage): string | null {
  const host = (req.headers.host ?? '').trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.exec(host);
  return m ? m[1]! : null;
}

/**
 * Which Host names the console answers: this machine's, and CONSOLE_PUBLIC_URL's. A page under
 * any other name was reached through a name someone else controls: DNS rebinding points
 * attacker.example at 127.0.0.1 so the attacker's script is "same-origin" with the console.
 */
export function knownHosts(publicUrl: string | null): (req: IncomingMessage) => boolean {
  const publicHost = publicUrl ? new URL(publicUrl).hostname.toLowerCase() : null;
  return (req) => {
    const name = hostName(req);
    return name !== null && (LOCAL_HOSTS.has(name) || name === publicHost);
  };
}

/** https when CONSOLE_PUBLIC_URL says so (a proxy terminates TLS) or the connection itself is TLS. */
export function servedOverHttps(req: IncomingMessage, publicUrl: string | null): boolean {
  return (publicUrl !== null && new URL(publicUrl).protocol === 'https:') || (req.socket as TLSSocket).encrypted === true;
}

/**
 * A POST came from one of the console's own pages. Browsers send Origin on every POST; when it is
 * missing, Sec-Fetch-Site says the same. A POST with neither is not a browser's, and nothing
 * but a browser posts to the console, so it is refused: SameSite cookies alone do not cover a
 * same-site attacker (another port, or a sibling subdomain).
 */
export function sameOrigin(req: IncomingMessage, publicUrl: string | null): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return req.headers['sec-fetch-site'] === 'same-origin';
  const publicOrigin = publicUrl ? new URL(publicUrl) : null;
  // Under the public name, the scheme people use is CONSOLE_PUBLIC_URL's (a proxy may speak http to us);
  // under a local name, the connection's own.
  const scheme =
    publicOrigin && publicOrigin.hostname.toLowerCase() === hostName(req) ? publicOrigin.protocol : (req.socket as TLSSocket).encrypted ? 'https:' : 'http:';
  try {
    return new URL(`${scheme}//${req.headers.host}`).origin === new URL(origin).origin;
  } catch {
    return false; // "null" (a sandboxed frame, a redirect chain) or garbage
  }
}
