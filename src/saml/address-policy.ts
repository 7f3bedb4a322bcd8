// Which IP addresses a metadata fetch may connect to. An allow-list: only global unicast addresses
// pass, so every special range (loopback, private, link-local, site-local, CGNAT, documentation,
// benchmarking, multicast, IPv4-compatible IPv6 ...) is refused without having to be named, and
// a range that ipaddr.js learns about later is refused too. Translation forms that carry an IPv4
// address (IPv4-mapped, NAT64, 6to4, Teredo) are judged by the IPv4 address inside them.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

// IANA allocates global unicast IPv6 only from 2000::/3; ::/96 (IPv4-compatible, RFC 4291 §2.5.5.1)
// and other space outside it reaches whatever the host's routing makes of it.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
// RFC 6052's well-known prefix; the local-use prefix 64:ff9b:1::/48 (RFC 8215) has no fixed layout.
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/** True when `address` (an IP literal, as DNS or the URL parser gives it) is a global unicast address. */
export function isGlobalUnicast(address: string): boolean {
  if (isIP(address) === 0) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return (parsed as ipaddr.IPv4).range() === 'unicast';
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().range() === 'unicast';
  const embedded = embeddedIpv4(v6);
  if (embedded !== undefined) return embedded.length > 0 && embedded.every((v4) => v4.range() === 'unicast');
  return v6.range() === 'unicast' && v6.match(GLOBAL_UNICAST_V6);
}

/** True for 127.0.0.0/8 and ::1 (also written as IPv4-mapped IPv6). */
export function isLoopback(address: string): boolean {
  if (isIP(address) === 0) return false;
  return ipaddr.process(address).range() === 'loopback';
}

/**
 * The IPv4 addresses a translation form leads to; undefined when the address is no translation
 * form, an empty list when it is one whose IPv4 address cannot be known (then it is refused).
 */
function embeddedIpv4(v6: ipaddr.IPv6): ipaddr.IPv4[] | undefined {
  const p = v6.parts;
  const v4 = (high: number | undefined, low: number | undefined) =>
    new ipaddr.IPv4([((high ?? 0) >> 8) & 255, (high ?? 0) & 255, ((low ?? 0) >> 8) & 255, (low ?? 0) & 255]);
  switch (v6.range()) {
    case '6to4': // 2002:AABB:CCDD::/48 (RFC 3056)
      return [v4(p[1], p[2])];
    case 'rfc6052':
      return v6.match(NAT64_WELL_KNOWN) ? [v4(p[6], p[7])] : [];
    case 'teredo': // 2001:0:SERVER:SERVER:flags:port:~CLIENT (RFC 4380)
      return [v4(p[2], p[3]), v4(~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff)];
    case 'rfc6145':
      return [];
    default:
      return undefined;
  }
}
