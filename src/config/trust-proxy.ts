// The forms of `server.trustProxy` Express accepts (through proxy-addr), checked here so a typo
// stops the start instead of surfacing as a 500 on the first request or as a proxy trusted by
// accident: true, a hop count, or proxy addresses (IP, CIDR, or the names below).
import { isIP, isIPv4 } from 'node:net';

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Why one proxy address entry is not usable, or undefined when it is. */
export function trustProxyEntryProblem(raw: string): string | undefined {
  const entry = raw.trim();
  if (NAMES.has(entry) || isIP(entry) !== 0) return undefined;
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const range = slash < 0 ? '' : entry.slice(slash + 1);
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  if (family !== 0 && /^\d{1,3}$/.test(range) && Number(range) >= 1 && Number(range) <= bits) return undefined;
  if (family === 4 && isIPv4(range) && contiguousMask(range)) return undefined; // 10.0.0.0/255.0.0.0
  return `"${entry.slice(0, 60)}" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal`;
}

/** Problems of a comma-separated list (the environment's form) or of a list of entries. */
export function trustProxyListProblems(value: string | readonly string[]): string[] {
  const entries = typeof value === 'string' ? value.split(',') : value;
  if (entries.length === 0 || entries.every((e) => e.trim() === '')) return ['expected at least one proxy address'];
  return entries.flatMap((e) => trustProxyEntryProblem(e) ?? []);
}

/** proxy-addr takes an IPv4 netmask only when it is a prefix: ones, then zeros, and not all zeros. */
function contiguousMask(mask: string): boolean {
  const value = mask.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const inverted = 2 ** 32 - 1 - value;
  return value !== 0 && (inverted & (inverted + 1)) === 0;
}
