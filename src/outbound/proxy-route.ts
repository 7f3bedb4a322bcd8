// Which outbound proxy, if any, a request to a URL goes through: HTTPS_PROXY for https targets,
// HTTP_PROXY for plain http ones (as curl and Go do; no fallback from one to the other), unless
// a NO_PROXY entry covers the target. Pure: the settings come from config (config/load.ts reads
// the environment); routing-agent.ts and the metadata fetch act on the answer.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface OutboundProxySettings {
  /** Proxy for https:// targets (HTTPS_PROXY). */
  httpsUrl?: string;
  /** Proxy for http:// targets (HTTP_PROXY). */
  httpUrl?: string;
  /** NO_PROXY entries. */
  noProxy?: readonly string[];
}

type NoProxyRule =
  | { kind: 'all' }
  | { kind: 'domain'; name: string; port?: number }
  | { kind: 'address'; address: string; port?: number }
  | { kind: 'cidr'; range: [ipaddr.IPv4 | ipaddr.IPv6, number] };

export class OutboundProxy {
  private readonly rules: NoProxyRule[] = [];
  /** NO_PROXY entries that mean nothing here (`10.*`, `<local>` ...): they never match. */
  readonly ignoredEntries: string[] = [];
  private readonly httpsProxy?: URL;
  private readonly httpProxy?: URL;

  constructor(settings: OutboundProxySettings = {}) {
    this.httpsProxy = settings.httpsUrl === undefined ? undefined : new URL(settings.httpsUrl);
    this.httpProxy = settings.httpUrl === undefined ? undefined : new URL(settings.httpUrl);
    for (const entry of settings.noProxy ?? []) {
      const rule = parseNoProxyEntry(entry);
      if (rule === undefined) this.ignoredEntries.push(entry);
      else this.rules.push(rule);
    }
  }

  /** True when some target would go through a proxy. */
  get enabled(): boolean {
    return this.httpsProxy !== undefined || this.httpProxy !== undefined;
  }

  /** The proxy for this target, or undefined to connect directly. */
  proxyFor(target: URL): URL | undefined {
    const proxy =
      target.protocol === 'https:' ? this.httpsProxy : target.protocol === 'http:' ? this.httpProxy : undefined;
    if (proxy === undefined || this.bypasses(target)) return undefined;
    return proxy;
  }

  /** True when a NO_PROXY entry covers the target's host (and port, when the entry names one). */
  bypasses(target: URL): boolean {
    const host = target.hostname
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '')
      .toLowerCase();
    const port = Number(target.port === '' ? (target.protocol === 'https:' ? 443 : 80) : target.port);
    const address = isIP(host) === 0 ? undefined : ipaddr.process(host);
    return this.rules.some((rule) => {
      if (rule.kind === 'all') return true;
      if (rule.kind === 'cidr')
        return address !== undefined && address.kind() === rule.range[0].kind() && address.match(rule.range);
      if (rule.port !== undefined && rule.port !== port) return false;
      if (rule.kind === 'address') return address !== undefined && address.toString() === rule.address;
      // Names match themselves and their subdomains; an IP target is matched by address rules only.
      return address === undefined && (host === rule.name || host.endsWith(`.${rule.name}`));
    });
  }

  /** For the start-up log: proxies without user or password, and the NO_PROXY entries. */
  describe(): { httpsProxy?: string; httpProxy?: string; noProxy: string[]; ignoredNoProxy: string[] } {
    const show = (u: URL | undefined) => (u === undefined ? undefined : `${u.protocol}//${u.host}`);
    return {
      httpsProxy: show(this.httpsProxy),
      httpProxy: show(this.httpProxy),
      noProxy: this.rules.map(describeRule),
      ignoredNoProxy: this.ignoredEntries,
    };
  }
}

/**
 * One NO_PROXY entry: `*`; a name, with or without a leading `.` or `*.` (it and its subdomains,
 * as curl reads it); an IP address; either with `:port`; or an address range in CIDR notation.
 */
export function parseNoProxyEntry(raw: string): NoProxyRule | undefined {
  const entry = raw.trim().toLowerCase();
  if (entry === '*') return { kind: 'all' };
  if (entry.includes('/')) {
    try {
      return { kind: 'cidr', range: ipaddr.parseCIDR(entry) };
    } catch {
      return undefined;
    }
  }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  const [host, portText] =
    bracketed !== null ? [bracketed[1] ?? '', bracketed[2]] : isIP(entry) === 6 ? [entry, undefined] : splitPort(entry);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) return undefined;
  if (isIP(host) !== 0)
    return { kind: 'address', address: ipaddr.process(host).toString(), ...(port === undefined ? {} : { port }) };
  if (bracketed !== null) return undefined;
  const name = host.replace(/^\*?\./, '').replace(/\.$/, '');
  if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)) return undefined;
  return { kind: 'domain', name, ...(port === undefined ? {} : { port }) };
}

function splitPort(entry: string): [string, string | undefined] {
  const m = /^(.*):(\d+)$/.exec(entry);
  return m === null ? [entry, undefined] : [m[1] ?? '', m[2]];
}

function describeRule(rule: NoProxyRule): string {
  const port = 'port' in rule && rule.port !== undefined ? `:${rule.port}` : '';
  switch (rule.kind) {
    case 'all':
      return '*';
    case 'cidr':
      return `${rule.range[0].toString()}/${rule.range[1]}`;
    case 'address':
      return (rule.address.includes(':') && port !== '' ? `[${rule.address}]` : rule.address) + port;
    default:
      return rule.name + port;
  }
}
