import type { IncomingMessage } from 'node:http';
import { isIPv4 } from 'node:net';
import type { Activity } from 'botbuilder';
import { isForwarded, isLoopback } from '../../http/requests';

/** Why a request is refused: the status, the answer's error, and what the log line says. */
export interface Refusal {
  status: number;
  error: string;
  log: string;
}

const LOCAL_ONLY = 'This bot runs Teams in local no-auth mode (MICROSOFT_APP_ID is unset)';
const JSON_TYPE = /^application\/json\s*(;\s*charset=[\w.:-]+\s*)?$/i;

/**
 * Local no-auth mode checks nothing about the caller, so it must be sure the caller is a program on
 * this machine and not a web page open in a browser here: a page can POST text/plain cross-site
 * without a CORS preflight, but the browser always adds Origin to it. The Emulator sends JSON and
 * no Origin. These run before the body is read.
 */
export function localRequestRefusal(req: IncomingMessage): Refusal | null {
  if (isForwarded(req) || !isLoopback(req.socket.remoteAddress)) {
    return { status: 401, error: `${LOCAL_ONLY} and only answers this machine.`, log: 'refused a Teams request from another machine in local no-auth mode' };
  }
  if (req.headers.origin !== undefined) {
    return { status: 403, error: `${LOCAL_ONLY} and refuses requests from web pages (an Origin header was sent).`, log: 'refused a Teams request with an Origin header in local no-auth mode' };
  }
  const type = req.headers['content-type'] ?? '';
  if (!JSON_TYPE.test(type)) {
    return { status: 415, error: 'Send the activity as Content-Type: application/json.', log: 'refused a Teams request that is not application/json in local no-auth mode' };
  }
  return null;
}

/**
 * In local mode nobody vouches for the activity's serviceUrl, and the bot would POST its replies
 * there: anything but this machine would make the bot call wherever the caller says.
 */
export function localActivityRefusal(activity: Activity): Refusal | null {
  if (isLoopbackUrl(activity.serviceUrl)) return null;
  return { status: 403, error: `${LOCAL_ONLY} and only replies to a serviceUrl on this machine (http://localhost:…).`, log: 'refused a Teams activity whose serviceUrl is not on this machine in local no-auth mode' };
}

function isLoopbackUrl(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || (isIPv4(host) && host.startsWith('127.'));
}

/**
 * The tenants the activity says it is from, lowercase. Both places are read: Teams fills both
 * with the same id, and one that disagrees with the other is not to be trusted on either.
 */
export function tenantsOf(activity: Activity): string[] {
  const data = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const ids = [data?.tenant?.id, activity.conversation?.tenantId].filter((t): t is string => typeof t === 'string' && t !== '');
  return [...new Set(ids.map((t) => t.toLowerCase()))];
}

/** An empty allow-list admits anyone; otherwise the activity must name a tenant, and only allowed ones. */
export function foreignTenant(activity: Activity, allowed: string[]): string | null {
  if (allowed.length === 0) return null;
  const tenants = tenantsOf(activity);
  if (tenants.length === 0) return '(none)';
  return tenants.find((t) => !allowed.includes(t)) ?? null;
}

/**
 * A bearer token that is not three base64url parts with a JSON header and payload. botbuilder
 * decodes such a token without checking and then trips over the result (a TypeError, so a 500);
 * it is simply not a token, so the answer is 401.
 */
export function malformedToken(authorization: string): boolean {
  if (authorization === '') return false; // botbuilder's own "no token" refusal applies
  const m = /^Bearer ([^\s]+)$/.exec(authorization);
  if (!m) return true;
  const parts = m[1]!.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return true;
  return !isJsonObject(parts[0]!) || !isJsonObject(parts[1]!);
}

function isJsonObject(part: string): boolean {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}
