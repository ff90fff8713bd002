import type { ProbeDef } from '../core/runbook/schema';
import { durationMs, probeTimeoutProblem } from '../core/runbook/schema';
import type { HostPolicy } from './host-policy';
import { ProbeNetworkError, type ProbeOutcome } from './outcome';
import { BlockedError, safeFetch, type SafeResponse } from './safe-fetch';

type HttpProbeDef = Extract<ProbeDef, { kind: 'http' }>;

export interface HttpTarget {
  /** BRAIFLOW_API_URL; null when unset, and every http probe says so. */
  baseUrl: string | null;
  /** BRAIFLOW_STANDARD_USER_TOKEN: a non-admin account's token, never shown anywhere. */
  standardUserToken: string | null;
  policy: HostPolicy;
  resolve?: (host: string) => Promise<string[]>;
}

const MAX_BYTES = 256 * 1024;

/**
 * Calls the BraiFlow API as the runbook says, as a standard user unless told otherwise, and
 * judges the answer: status, content type, JSON fields, latency. Calling /api/v1/me with a token
 * that turns out to be an admin's proves nothing about regular users, so that is an error.
 */
export async function runHttpProbe(def: HttpProbeDef, target: HttpTarget): Promise<ProbeOutcome> {
  const what = `${def.method} ${def.path} as ${def.as}`;
  if (!target.baseUrl) return misconfigured(what, 'BRAIFLOW_API_URL is not set: set it to the BraiFlow API base URL');
  if (def.as === 'standard-user' && !target.standardUserToken) {
    return misconfigured(what, "BRAIFLOW_STANDARD_USER_TOKEN is not set: set it to a standard (non-admin) user's API token");
  }
  // The schema refuses these; a definition that got past it must still end the run, not throw.
  const timeoutProblem = probeTimeoutProblem(def.timeout);
  if (timeoutProblem) return misconfigured(what, `${timeoutProblem} (the runbook check refuses it too)`);
  const base = new URL(target.baseUrl.endsWith('/') ? target.baseUrl : `${target.baseUrl}/`);
  const resolved = new URL(def.path, base);
  // A path such as //host/x replaces the API's host; the token is for the BraiFlow API alone.
  if (resolved.origin !== base.origin) {
    return {
      status: 'error',
      reason: `${what}: refused: the path leads to ${resolved.origin}, not to BRAIFLOW_API_URL (${base.origin}); a probe only calls the BraiFlow API, and nothing was sent`,
      detail: { url: redactUrl(resolved.toString()), blocked: true },
      durationMs: 0,
    };
  }
  const url = resolved.toString();
  const headers: Record<string, string> = { accept: 'application/json, */*' };
  if (def.as === 'standard-user') headers.authorization = `Bearer ${target.standardUserToken}`;
  let res: SafeResponse;
  try {
    res = await safeFetch(url, {
      method: def.method,
      headers,
      timeoutMs: durationMs(def.timeout),
      maxBytes: MAX_BYTES,
      policy: target.policy,
      resolve: target.resolve,
    });
  } catch (err) {
    if (err instanceof BlockedError)
      return { status: 'error', reason: `${what}: ${err.message}`, detail: { url: redactUrl(url), blocked: true }, durationMs: 0 };
    if (err instanceof ProbeNetworkError) throw new ProbeNetworkError(`${what}: ${err.message}`, err.durationMs);
    throw err;
  }
  return judge(def, what, res);
}

function judge(def: HttpProbeDef, what: string, res: SafeResponse): ProbeOutcome {
  const ms = Math.round(res.durationMs);
  const contentType = res.headers['content-type'] ?? '';
  const detail: Record<string, unknown> = { status: res.status, duration_ms: ms, content_type: contentType || null, truncated: res.truncated };
  const problems: string[] = [];
  if (res.status !== def.expect_status) problems.push(`${res.status} (expected ${def.expect_status})`);
  if (def.expect_content_type && !contentType.toLowerCase().startsWith(def.expect_content_type.toLowerCase())) {
    problems.push(`content type ${contentType || 'none'} (expected ${def.expect_content_type})`);
  }
  const json = parseJson(res, contentType);
  for (const [path, expected] of Object.entries(def.expect_json ?? {})) {
    const actual = json === undefined ? undefined : pick(json, path);
    if (actual !== expected) problems.push(`${path} = ${show(actual)} (expected ${show(expected)})`);
  }
  if (def.max_latency && ms > durationMs(def.max_latency)) problems.push(`${ms} ms (limit ${def.max_latency})`);
  const role = json === undefined ? undefined : roleOf(json);
  if (role !== undefined) detail.role = role;
  if (problems.length > 0) return { status: 'fail', reason: `${what}: ${problems.join(', ')}`, detail, durationMs: ms };
  if (def.as === 'standard-user' && isAdmin(json)) {
    return {
      status: 'error',
      reason: `${what}: the credential is an admin (role=${role ?? 'admin'}): this check proves nothing for regular users; set BRAIFLOW_STANDARD_USER_TOKEN to a standard user's token`,
      detail,
      durationMs: ms,
    };
  }
  return { status: 'pass', reason: `${what}: ${res.status} in ${ms} ms${role !== undefined ? `, role=${role}` : ''}`, detail, durationMs: ms };
}

function misconfigured(what: string, why: string): ProbeOutcome {
  return { status: 'error', reason: `${what}: ${why}`, detail: { misconfigured: true }, durationMs: 0 };
}

function parseJson(res: SafeResponse, contentType: string): unknown {
  if (!/json/i.test(contentType) || res.truncated) return undefined;
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function pick(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);
}

function roleOf(json: unknown): string | undefined {
  for (const path of ['role', 'user.role', 'data.role']) {
    const v = pick(json, path);
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** The shapes BraiFlow's /me uses to say "admin": role admin/owner/superadmin, or isAdmin true. */
function isAdmin(json: unknown): boolean {
  const role = roleOf(json)?.toLowerCase();
  if (role && ['admin', 'owner', 'superadmin', 'super_admin', 'administrator'].includes(role)) return true;
  return ['isAdmin', 'is_admin', 'user.isAdmin', 'user.is_admin', 'admin'].some((p) => pick(json, p) === true);
}

function show(v: unknown): string {
  return v === undefined ? 'missing' : JSON.stringify(v);
}

/** A URL fit for the record: no user info, no query string (either could carry a secret). */
function redactUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
