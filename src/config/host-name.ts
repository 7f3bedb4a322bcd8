// What may stand as a database host: a DNS name or an IP literal, nothing else. The host is
// written into connection strings (JDBC and libpq URIs, ODBC, .pgpass), so a `;`, `/`, `?`, `@`,
// `%`, a space or a line break in it would add parameters or change the target there.
import { isIPv4, isIPv6 } from 'node:net';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * A DNS name (RFC 1123 labels, an optional final dot), an IPv4 literal, or an unbracketed IPv6 literal without a zone.
 */
export function isHostName(value: string): boolean {
  if (isIPv4(value)) return true;
  if (value.includes(':')) return isIPv6(value) && !value.includes('%');
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // An all-numeric last label is an IPv4 address gone wrong (999.1.1.1, 127.1), not a name.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return false;
  return labels.every((label) => LABEL.test(label));
}
