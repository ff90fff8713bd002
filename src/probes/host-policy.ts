import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which hosts a probe may call. Probes take URLs from runbooks and redirects, so without this a
 * probe could be pointed at the cloud metadata service or an internal admin port (SSRF).
 */
export interface HostPolicy {
  /** Explicitly allowed `host` or `host:port` entries (lowercased); from PROBE_ALLOWED_HOSTS. */
  allowed: string[];
  /** When `allowed` is empty: the API base URL's host[:port], allowed only if it resolves to public addresses. */
  apiHost: string | null;
}

/** A parsed entry. `port: null` means the default ports (80 and 443) only, not every port. */
interface HostEntry {
  host: string;
  port: number | null;
}

const HOW = 'use host or host:port, e.g. api.example.com or 127.0.0.1:8080 or [::1]:8080';
const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/**
 * "api.braiflow.example, 127.0.0.1:8080" -> ["api.braiflow.example", "127.0.0.1:8080"].
 * Throws on a malformed entry instead of skipping it: a silently dropped entry would show up
 * later as a confusing "blocked" during an incident.
 */
export function parseAllowedHosts(text: string | undefined): string[] {
  const out: string[] = [];
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue; // tolerate "a, b," and an empty variable
    const problem = entryProblem(entry);
    if (problem !== null) throw new Error(`PROBE_ALLOWED_HOSTS entry "${entry}" is malformed: ${problem}`);
    const canonical = formatEntry(parseEntry(entry)!);
    if (!out.includes(canonical)) out.push(canonical);
  }
  return out;
}

/** Decides before connecting. `addresses` are the resolved IPs. Returns null when allowed, else the refusal reason. */
export function refusal(policy: HostPolicy, host: string, port: number, addresses: string[]): string | null {
  const byName = refusalByName(policy, host, port);
  if (byName !== null) return byName;
  if (policy.allowed.length > 0) return null; // listed on purpose: any address, even an internal one
  const name = display(host, port);
  // Fail closed: an empty answer cannot be shown to be public.
  if (addresses.length === 0) return `blocked: ${name} did not resolve to any address`;
  const inside = addresses.find(isPrivateAddress);
  if (inside === undefined) return null;
  const canonical = canonicalHost(host);
  if (canonical !== null && isIP(canonical)) {
    return `blocked: ${name} is a private address; list it in PROBE_ALLOWED_HOSTS to allow it`;
  }
  return `blocked: ${name} resolves to ${inside}, a private address; list it in PROBE_ALLOWED_HOSTS to allow it`;
}

/**
 * The part of `refusal` that needs no DNS. safeFetch asks this first so a host that can never be
 * allowed is not even looked up (a lookup of an attacker's name is itself a leak).
 */
export function refusalByName(policy: HostPolicy, host: string, port: number): string | null {
  const target = canonicalHost(host);
  if (target === null) return `blocked: "${host}" is not a valid host name`;
  const name = display(host, port);
  if (policy.allowed.length > 0) {
    return policy.allowed.some((e) => matches(parseEntry(e), target, port)) ? null : `blocked: ${name} is not in PROBE_ALLOWED_HOSTS`;
  }
  if (policy.apiHost === null) return `blocked: ${name} is not in PROBE_ALLOWED_HOSTS (it is empty and no API host is set)`;
  if (!matches(parseEntry(policy.apiHost), target, port)) {
    return `blocked: ${name} is not in PROBE_ALLOWED_HOSTS and is not the API host`;
  }
  return null;
}

function matches(entry: HostEntry | null, host: string, port: number): boolean {
  if (entry === null || entry.host !== host) return false;
  return entry.port === null ? port === 80 || port === 443 : entry.port === port;
}

/** How a host reads in a refusal: the port only when it is not a default one. */
function display(host: string, port: number): string {
  const h = canonicalHost(host) ?? host;
  const shown = isIPv6(h) ? `[${h}]` : h;
  return port === 80 || port === 443 ? shown : `${shown}:${port}`;
}

function entryProblem(entry: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) return `no scheme; ${HOW}`;
  if (/[/?#@\s]/.test(entry)) return `no path, user or spaces; ${HOW}`;
  if (parseEntry(entry) === null) return HOW;
  return null;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare v6 address; null when malformed. */
function parseEntry(text: string): HostEntry | null {
  let hostText: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    if (!isIPv6(bracketed[1]!)) return null;
    hostText = bracketed[1]!;
    portText = bracketed[2];
  } else if (isIPv6(text)) {
    hostText = text;
  } else {
    const parts = text.split(':');
    if (parts.length > 2) return null; // an IPv6 address with a port needs brackets
    hostText = parts[0]!;
    portText = parts[1];
    if (!HOSTNAME.test(hostText.toLowerCase().replace(/\.$/, ''))) return null;
  }
  const host = canonicalHost(hostText);
  if (host === null) return null;
  if (portText === undefined) return { host, port: null };
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  return port >= 1 && port <= 65535 ? { host, port } : null;
}

function formatEntry(e: HostEntry): string {
  const host = isIPv6(e.host) ? `[${e.host}]` : e.host;
  return e.port === null ? host : `${host}:${e.port}`;
}

/**
 * One spelling per host, the way the WHATWG URL parser (and so safeFetch) sees it: lowercased,
 * no trailing dot, "127.1" -> "127.0.0.1", IPv6 compressed and without brackets.
 */
function canonicalHost(host: string): string | null {
  const bare = host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (bare === '') return null;
  try {
    const hostname = new URL(`http://${isIPv6(bare) ? `[${bare}]` : bare}/`).hostname;
    return hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return null;
  }
}

function isIP(host: string): boolean {
  return isIPv4(host) || isIPv6(host);
}

// [first address, prefix length] of IPv4 ranges that are not public. Beyond the contract's list:
// multicast, reserved, benchmarking and documentation ranges, none of which a real API lives on.
const V4_PRIVATE: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, includes 169.254.169.254 (cloud metadata)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes 255.255.255.255
];
const V4_RANGES = V4_PRIVATE.map(([base, bits]) => ({ base: v4ToInt(base), mask: bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0 }));

/**
 * True for any address a probe must not reach unless an operator lists it: loopback, private,
 * link-local, CGNAT, metadata, unspecified, multicast, reserved. Addresses that embed an IPv4
 * address (::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that IPv4 address,
 * since that is where the packets end up. Anything that is not an IP address counts as private
 * (fail closed).
 */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, ''); // a zone id does not change the range
  if (isIPv4(bare)) return v4Private(v4ToInt(bare));
  if (isIPv6(bare)) return v6Private(v6Groups(bare));
  return true;
}

function v4Private(n: number): boolean {
  return V4_RANGES.some((r) => (n & r.mask) >>> 0 === r.base);
}

function v6Private(g: number[]): boolean {
  const at = (i: number): number => g[i] ?? 0;
  const embedded = ((at(6) << 16) | at(7)) >>> 0;
  const zerosTo = (end: number): boolean => g.slice(0, end).every((x) => x === 0);
  if (zerosTo(6)) return true; // ::/96: unspecified ::, loopback ::1, deprecated IPv4-compatible
  if (zerosTo(5) && at(5) === 0xffff) return v4Private(embedded); // IPv4-mapped
  if (at(0) === 0x64 && at(1) === 0xff9b) {
    // 64:ff9b::/96 is NAT64 to the embedded IPv4; 64:ff9b:1::/48 is for local use only
    return at(2) === 0 && at(3) === 0 && at(4) === 0 && at(5) === 0 ? v4Private(embedded) : true;
  }
  if (at(0) === 0x2002) return v4Private(((at(1) << 16) | at(2)) >>> 0); // 6to4
  if ((at(0) & 0xfe00) === 0xfc00) return true; // unique local fc00::/7, includes fd00:ec2::254
  if ((at(0) & 0xffc0) === 0xfe80) return true; // link-local
  if ((at(0) & 0xffc0) === 0xfec0) return true; // deprecated site-local
  if ((at(0) & 0xff00) === 0xff00) return true; // multicast
  if (at(0) === 0x2001 && at(1) === 0x0db8) return true; // documentation
  if (at(0) === 0x0100 && zerosTo(4)) return true; // discard-only 100::/64
  return false;
}

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);
}

/** The eight 16-bit groups of a valid IPv6 address (checked by the caller with isIPv6). */
function v6Groups(ip: string): number[] {
  let text = ip;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const n = v4ToInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const toGroups = (s: string): number[] => (s === '' ? [] : s.split(':').map((x) => parseInt(x, 16)));
  const left = toGroups(head);
  if (rest === undefined) return left;
  const right = toGroups(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
