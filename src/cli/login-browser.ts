// `redshift-sso login`: the browser sign-in of a native app (RFC 8252). A listener on 127.0.0.1 at
// a free port waits for the redirect; the authorize URL carries a PKCE S256 challenge and a random
// `state`; the one-time code that comes back is redeemed with the verifier for a token.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import open from 'open';
import { CliError, EXIT } from './errors.ts';
import { clientName, refusalOf, requestToken, storeToken } from './token-grant.ts';

const WAIT_MS = 5 * 60_000;

export interface BrowserLoginOptions {
  server: string;
  idp?: string;
  browser: boolean;
}

export async function loginWithBrowser(options: BrowserLoginOptions): Promise<void> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const listener = await listenOnLoopback();
  try {
    const redirectUri = `http://127.0.0.1:${listener.port}/callback`;
    const authorize = new URL('/cli/authorize', options.server);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: 'redshift-sso-cli',
      redirect_uri: redirectUri,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state,
      client_name: clientName(),
    })) {
      authorize.searchParams.set(k, v);
    }
    // With --idp the sign-in starts at that IdP and comes back to the approval page.
    const url =
      options.idp === undefined
        ? authorize.href
        : `${new URL(`/login/${encodeURIComponent(options.idp)}`, options.server).href}?returnTo=${encodeURIComponent(authorize.pathname + authorize.search)}`;
    if (options.browser) {
      process.stderr.write(`Opening your browser to sign in. If it does not open, visit:\n  ${url}\n`);
      await open(url).catch(() =>
        process.stderr.write('Could not start a browser; open the address above yourself.\n'),
      );
    } else {
      process.stderr.write(`Open this address in a browser on this computer to sign in:\n  ${url}\n`);
    }
    process.stderr.write(`Waiting for the browser (listening on 127.0.0.1:${listener.port})…\n`);
    const callback = await listener.next(state);
    const answer = await requestToken(options.server, {
      grant_type: 'authorization_code',
      code: callback,
      code_verifier: verifier,
      redirect_uri: redirectUri,
      state,
    });
    if (answer.status !== 200) throw refusalOf(answer.status, answer.body);
    await storeToken(options.server, answer.body);
  } finally {
    listener.close();
  }
}

interface Loopback {
  port: number;
  /** The code of the first callback that carries our state; refusals and mismatches reject. */
  next(state: string): Promise<string>;
  close(): void;
}

function page(title: string, text: string): string {
  return `<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${text}</p>`;
}

interface Pending {
  resolve: (code: string) => void;
  reject: (err: CliError) => void;
  state: string;
}

/** Answers the browser's redirect to /callback and settles the wait of `next`. */
function answerCallback(url: URL, res: ServerResponse, pending: Pending): void {
  const { resolve, reject, state } = pending;
  const answer = (status: number, title: string, text: string) =>
    res
      .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(page(title, text));
  // A callback without our state did not come from the sign-in we started (RFC 6749 §10.12).
  if (url.searchParams.get('state') !== state) {
    answer(
      400,
      'Sign-in refused',
      'This answer does not belong to the sign-in your terminal started. Nothing was signed in.',
    );
    reject(
      new CliError(
        'The browser answered with a different state: this is not the sign-in this command started (CLI_STATE_MISMATCH). Run `redshift-sso login` again.',
        EXIT.denied,
        'CLI_STATE_MISMATCH',
      ),
    );
    return;
  }
  const code = url.searchParams.get('code');
  if (code === null) {
    answer(200, 'Sign-in denied', 'Nothing was signed in. You can close this tab.');
    reject(
      new CliError(
        `The sign-in was denied in the browser (${url.searchParams.get('error') ?? 'no code'}).`,
        EXIT.denied,
        'CLI_ACCESS_DENIED',
      ),
    );
    return;
  }
  answer(200, 'Signed in', 'Return to your terminal; you can close this tab.');
  resolve(code);
}

async function listenOnLoopback(): Promise<Loopback> {
  let settle: Pending | undefined;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback' || settle === undefined) {
      res.writeHead(404).end();
      return;
    }
    answerCallback(url, res, settle);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    next: (state) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new CliError(
                'No answer from the browser within 5 minutes. Run `redshift-sso login` again (or `login --device` on a machine without a browser).',
                EXIT.denied,
              ),
            ),
          WAIT_MS,
        );
        const done =
          <A>(fn: (a: A) => void) =>
          (a: A) => {
            clearTimeout(timer);
            fn(a);
          };
        settle = { resolve: done(resolve), reject: done(reject), state };
      }),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
