import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../../http/requests';

/** A console form is a few fields; anything bigger is not one of ours. */
const MAX_FORM_BYTES = 64 * 1024;

/** The url-encoded form of a POST, or null when it is too big or not a form. */
export async function readForm(req: IncomingMessage): Promise<Record<string, string> | null> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return null;
  const body = await readBody(req, MAX_FORM_BYTES);
  return body === null ? null : Object.fromEntries(new URLSearchParams(body));
}

/** Security headers on every page: no framing, no sniffing, scripts and styles from us only. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

export function sendPage(res: ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...PAGE_HEADERS, ...headers }).end(body);
}

/** After a POST: 303, so a reload does not send the form again. */
export function redirect(res: ServerResponse, to: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { location: to, 'cache-control': 'no-store', ...headers }).end();
}
