// The other sites a browser test needs, each on its own `localhost` port (another site than the
// service on 127.0.0.1): a stand-in IdP that answers AuthnRequests with a signed response
// auto-posted to the ACS, and an attacker's site serving whatever pages a test registers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { aSamlResponse, type SamlResponseOverrides } from '../support/sign-response.ts';
import { authnRequestId } from './support-app.ts';

export interface Site {
  origin: string;
  close(): Promise<void>;
}

export interface FakeIdp extends Site {
  ssoUrl: string;
  /** Where responses are posted; set once the service is listening. */
  acsUrl: string;
  /** What the next responses carry (NameID, attributes, status ...), over the test IdP's defaults. */
  response: SamlResponseOverrides;
  /** When set, the IdP sends this RelayState instead of the one it received. */
  relayStateOverride: string | undefined;
  /** Every AuthnRequest answered: its ID and the RelayState that came with it. */
  requests: Array<{ id: string; relayState: string | undefined }>;
}

export interface AttackerSite extends Site {
  /** Serves `html` at `path` (no CSP, inline scripts allowed); returns its URL. */
  page(path: string, html: string): string;
  /** Every request the site received, as "METHOD path". */
  requests: string[];
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An HTML page that auto-submits a POST form to `action` with these fields. */
export function autoPostPage(
  action: string,
  fields: Record<string, string>,
  extra: { enctype?: string; target?: string; before?: string } = {},
): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const enctype = extra.enctype === undefined ? '' : ` enctype="${escapeHtml(extra.enctype)}"`;
  const target = extra.target === undefined ? '' : ` target="${escapeHtml(extra.target)}"`;
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>auto-post</title></head><body>${extra.before ?? ''}` +
    `<form id="f" method="post" action="${escapeHtml(action)}"${enctype}${target}>${inputs}<button type="submit">Continue</button></form>` +
    '<script>document.getElementById("f").submit()</script></body></html>'
  );
}

export async function startFakeIdp(): Promise<FakeIdp> {
  const idp: Omit<FakeIdp, 'origin' | 'ssoUrl' | 'close'> = {
    acsUrl: '',
    response: {},
    relayStateOverride: undefined,
    requests: [],
  };
  const { origin, close } = await listen('localhost', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const samlRequest = url.searchParams.get('SAMLRequest');
    if (url.pathname !== '/sso' || samlRequest === null) {
      res.writeHead(404).end('not found');
      return;
    }
    const id = authnRequestId(samlRequest);
    const received = url.searchParams.get('RelayState') ?? undefined;
    idp.requests.push({ id, relayState: received });
    const samlResponse = aSamlResponse({
      destination: idp.acsUrl,
      recipient: idp.acsUrl,
      inResponseTo: id,
      ...idp.response,
    });
    const relayState = idp.relayStateOverride ?? received;
    const fields: Record<string, string> = {
      SAMLResponse: samlResponse,
      ...(relayState === undefined ? {} : { RelayState: relayState }),
    };
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(autoPostPage(idp.acsUrl, fields));
  });
  return Object.assign(idp, { origin, ssoUrl: `${origin}/sso`, close });
}

/**
 * `localhost` (the default) is another site than the service on 127.0.0.1; `127.0.0.1` on another
 * port is the same site but another origin, so SameSite=Lax cookies do come along (a sibling app).
 */
export async function startAttackerSite(hostname: 'localhost' | '127.0.0.1' = 'localhost'): Promise<AttackerSite> {
  const pages = new Map<string, string>();
  const requests: string[] = [];
  const { origin, close } = await listen(hostname, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push(`${req.method ?? 'GET'} ${path}`);
    const html = pages.get(path);
    if (html === undefined) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  return {
    origin,
    requests,
    page(path, html) {
      pages.set(path, html);
      return `${origin}${path}`;
    },
    close,
  };
}

/** Listens on 127.0.0.1; named `localhost`, it is a different site from the service's 127.0.0.1. */
async function listen(hostname: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Site> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://${hostname}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
