import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
export { localClients } from '../../http/addresses';

/** Equal strings compared in constant time (their digests, so the length leaks nothing either). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** The request's cookies; one that does not decode is skipped (it is not ours), and the first of a name wins. */
export function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    const name = part.slice(0, i).trim();
    if (i <= 0 || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // A malformed escape: as if the cookie were absent.
    }
  }
  return out;
}

/** HttpOnly, SameSite=Strict, scoped to /console: no script reads it and no other site sends it. */
export function cookie(name: string, value: string, opts: { maxAge?: number; secure?: boolean } = {}): string {
  const maxAge = opts.maxAge !== undefined ? `; Max-Age=${opts.maxAge}` : '';
  return `${name}=${encodeURIComponent(value)}; Path=/console; HttpOnly; SameSite=Strict${maxAge}${opts.secure ? '; Secure' : ''}`;
}

/**
 * What proves a console request, all keyed by the server secret (CONSOLE_SECRET, or random bytes
 * kept in Postgres) and never by CONSOLE_TOKEN. A key derived from the token let anyone who saw one
 * MAC (the sign-in page's CSRF token, for a session id they chose) test guesses offline, as fast
 * as a hash; with a random key a MAC says nothing about the token. For the same reason the session
 * id is the server's: the cookie is `id.mac`, and a client cannot pick one the server did not sign.
 */
export class ConsoleKeys {
  private readonly tokenDigest: string;

  constructor(
    private readonly secret: Buffer,
    token: string | null,
  ) {
    // In the login proof, so a new CONSOLE_TOKEN signs everyone out.
    this.tokenDigest = createHash('sha256')
      .update(token ?? '')
      .digest('base64url');
  }

  private mac(what: string): string {
    return createHmac('sha256', this.secret).update(what).digest('base64url');
  }

  /** A new session: its id, and the cookie value that carries it. */
  newSession(): { id: string; cookie: string } {
    const id = randomBytes(18).toString('base64url');
    return { id, cookie: `${id}.${this.mac(`session:${id}`)}` };
  }

  /** The session id a cookie carries, or null when this server did not sign it. */
  session(value: string | undefined): string | null {
    const m = /^([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
    return m && sameSecret(this.mac(`session:${m[1]}`), m[2]!) ? m[1]! : null;
  }

  csrf(session: string): string {
    return this.mac(`csrf:${session}`);
  }

  /** The login cookie: when it was issued (ms), signed with the session, so expiry is checked here and not only by the browser. */
  login(session: string, issuedAt: number): string {
    return `${issuedAt}.${this.mac(`login:${session}:${issuedAt}:${this.tokenDigest}`)}`;
  }

  /** When a login cookie was issued, or null when it is not one for this session and token. */
  loginIssuedAt(session: string, value: string | undefined): number | null {
    const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
    return m && sameSecret(this.login(session, Number(m[1])), value!) ? Number(m[1]) : null;
  }

  checks(expected: string, given: string | undefined): boolean {
    return typeof given === 'string' && sameSecret(expected, given);
  }
}
