import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { isLoopback } from './requests';

/** This machine and the private ranges: where a Prometheus or a load balancer's health check usually is. */
export const PRIVATE_NETWORKS = ['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];

/** Why `entry` is not an address or a network (CIDR), or null. */
export function addressEntryProblem(entry: string): string | null {
  const [ip, bits, extra] = entry.split('/');
  const max = isIPv4(ip!) ? 32 : isIPv6(ip!) ? 128 : null;
  if (max === null || extra !== undefined) return `"${entry.slice(0, 60)}" is not an address or a network such as 10.0.0.0/8`;
  if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max)) return `"${entry.slice(0, 60)}" has a prefix length outside 0–${max}`;
  return null;
}

/** Exactly the addresses and networks listed (an entry that is neither is ignored; config refuses it first). */
export function addressMatcher(entries: string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    if (addressEntryProblem(entry)) continue;
    const [ip, bits] = entry.split('/');
    const family = isIPv4(ip!) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(ip!, family);
    else list.addSubnet(ip!, Number(bits), family);
  }
  return (address) => {
    if (!address) return false;
    // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d; match it as the IPv4 it is.
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (v4) return list.check(v4, 'ipv4');
    if (isIPv4(address)) return list.check(address, 'ipv4');
    return isIPv6(address) && list.check(address, 'ipv6');
  };
}

/** Clients served without a token: this machine, and the networks CONSOLE_ALLOW_FROM names. */
export function localClients(allowFrom: string[]): (address: string | undefined) => boolean {
  const listed = addressMatcher(allowFrom);
  return (address) => isLoopback(address) || listed(address);
}
