import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
export { localClients } from '../../http/addresses';

/** Equal strings compared in constant time (their digests, so the length leaks nothing either). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/** HttpOnly, SameSite=Strict, scoped to /console: no script reads it and no other site sends it. */
export function cookie(name: string, value: string, maxAgeSeconds?: number): string {
  return `${name}=${encodeURIComponent(value)}; Path=/console; HttpOnly; SameSite=Strict${maxAgeSeconds !== undefined ? `; Max-Age=${maxAgeSeconds}` : ''}`;
}

/**
 * Signs session ids and derives what proves a request: the login (from CONSOLE_TOKEN) and the
 * CSRF token of a session. Without a token the key is random per process: the console then
 * serves this machine only, and a restart signs everyone in afresh.
 */
export class ConsoleKeys {
  private readonly key: Buffer;

  constructor(readonly token: string | null) {
    this.key = token ? createHash('sha256').update(`incident-bot console:${token}`).digest() : randomBytes(32);
  }

  newSession(): string {
    return randomBytes(18).toString('base64url');
  }

  private mac(what: string): string {
    return createHmac('sha256', this.key).update(what).digest('base64url');
  }

  /** The cookie value that proves the token was given, for this session. */
  login(session: string): string {
    return this.mac(`login:${session}`);
  }

  csrf(session: string): string {
    return this.mac(`csrf:${session}`);
  }

  checks(expected: string, given: string | undefined): boolean {
    return typeof given === 'string' && sameSecret(expected, given);
  }
}
