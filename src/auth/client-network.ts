// Which client a request comes from, at two sizes: the address, and the network around it. An
// IPv4 network is its /24 (one office, one carrier NAT block); an IPv6 client owns a whole /64,
// so one IPv6 "address" counts as its /64 wherever an attacker could rotate inside it.
import { isIPv4, isIPv6 } from 'node:net';

function expandIPv6(ip: string): string[] | undefined {
  const [head = '', tail, extra] = ip.toLowerCase().split('::');
  if (extra !== undefined) return undefined;
  const a = head ? head.split(':') : [];
  const b = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array.from({ length: 8 - a.length - b.length }, () => '0');
  const groups = [...a, ...fill, ...b];
  return groups.length === 8 ? groups.map((g) => g.padStart(4, '0')) : undefined;
}

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) is the IPv4 client it maps. */
function plain(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  return mapped ?? ip;
}

/** One client address; an IPv6 one as its /64 when `ipv6AsNetwork`. */
export function clientAddress(ip: string | undefined, ipv6AsNetwork = false): string {
  const p = plain(ip);
  if (p && isIPv4(p)) return p;
  if (p && isIPv6(p)) {
    const g = expandIPv6(p);
    if (g) return ipv6AsNetwork ? `${g.slice(0, 4).join(':')}::/64` : g.join(':');
  }
  return 'unknown';
}

/** The network a client sits in: IPv4 /24, IPv6 /64. */
export function clientNetwork(ip: string | undefined): string {
  const p = plain(ip);
  if (p && isIPv4(p)) return `${p.split('.').slice(0, 3).join('.')}.0/24`;
  return p && isIPv6(p) ? clientAddress(p, true) : 'unknown';
}
