// The browser side of the CLI's sign-in: the approval page for a loopback sign-in
// (/cli/authorize), the device-code page (/cli/device), and "Signed-in tools" (/cli/tokens) with
// revoke buttons. Every decision is a POST with a CSRF token: a link alone never mints a token.
// EJS reads a `client` local as its own option (client-side compile), so views get `toolName`.
import express, { Router, type Request } from 'express';
import { BadRequest } from '../../errors.ts';
import type { CodeGrant, AuthorizeRequest } from '../../cli-auth/cli-code-grant.ts';
import { displayUserCode, type DeviceGrant } from '../../cli-auth/cli-device-grant.ts';
import type { CliTokens } from '../../cli-auth/cli-tokens.ts';
import { roleSessionsEnd } from '../../cli-auth/cli-tokens.ts';
import { isPkceChallenge, loopbackRedirectUri } from '../../cli-auth/pkce.ts';
import { csrfToken, requireCsrfToken } from '../middleware/csrf.ts';
import { requireUser } from '../middleware/require-user.ts';
import { asyncHandler } from '../async-handler.ts';
import { requestContext } from '../request-context.ts';
import { clientName } from '../cli-client-name.ts';
import type { SessionUser } from '../../sign-in/session-user.ts';

export interface CliPageDeps {
  codes: CodeGrant;
  devices: DeviceGrant;
  tokens: CliTokens;
  now: () => Date;
}

const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 12 });
const STATE = /^[\x21-\x7e]{8,200}$/;

/** The CLI's request, from the query (GET) or the approval form (POST); refused when malformed. */
function authorizeRequest(source: Record<string, unknown>): AuthorizeRequest & { port: number } {
  const redirect = loopbackRedirectUri(source.redirect_uri);
  const problem =
    redirect === undefined
      ? 'redirect_uri must be http://127.0.0.1:PORT/… or http://[::1]:PORT/…'
      : source.code_challenge_method !== 'S256' || !isPkceChallenge(source.code_challenge)
        ? 'a PKCE code_challenge with code_challenge_method=S256 is required'
        : typeof source.state !== 'string' || !STATE.test(source.state)
          ? 'state must be 8-200 printable characters'
          : undefined;
  if (problem !== undefined || redirect === undefined) {
    throw new BadRequest({
      code: 'CLI_AUTHORIZE_INVALID',
      publicMessage: `This sign-in link is not valid: ${problem ?? ''}. Run \`redshift-sso login\` again.`,
    });
  }
  return {
    redirectUri: redirect.uri,
    port: redirect.port,
    codeChallenge: source.code_challenge as string,
    state: source.state as string,
    client: clientName(source.client_name),
  };
}

function withQuery(uri: string, params: Record<string, string>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

const user = (req: Request) => req.user as SessionUser;

export function cliPageRoutes(deps: CliPageDeps): Router {
  const router = Router();
  authorizeRoutes(router, deps);
  deviceRoutes(router, deps);
  tokenRoutes(router, deps);
  return router;
}

/** The approval page for a loopback sign-in. */
function authorizeRoutes(router: Router, deps: CliPageDeps): void {
  router.get('/cli/authorize', requireUser(), (req, res) => {
    const request = authorizeRequest(req.query as Record<string, unknown>);
    res.setHeader('Cache-Control', 'no-store');
    res.render('cli-authorize', {
      title: 'Sign in a command-line tool',
      request,
      until: roleSessionsEnd(user(req), deps.now()),
      csrfToken: csrfToken(req),
    });
  });

  router.post(
    '/cli/authorize',
    requireUser(),
    form,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      const body = req.body as Record<string, unknown>;
      const request = authorizeRequest(body);
      const ctx = requestContext(req, res);
      let continueUrl: string;
      if (body.decision === 'approve') {
        const code = await deps.codes.approve(user(req), request, ctx);
        continueUrl = withQuery(request.redirectUri, { code, state: request.state });
      } else {
        await deps.codes.deny(user(req), request, ctx);
        continueUrl = withQuery(request.redirectUri, { error: 'access_denied', state: request.state });
      }
      // A page that follows a link, not a redirect: CSP form-action 'self' stops a form POST from
      // redirecting to another origin, and the loopback listener is one.
      res.setHeader('Cache-Control', 'no-store');
      res.render('cli-continue', {
        title: 'Back to your terminal',
        approved: body.decision === 'approve',
        continueUrl,
        toolName: request.client,
      });
    }),
  );
}

/** The device-code page. */
function deviceRoutes(router: Router, deps: CliPageDeps): void {
  router.get(
    '/cli/device',
    requireUser(),
    asyncHandler(async (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      const entered = req.query.user_code;
      if (entered === undefined || entered === '') {
        res.render('cli-device', { title: 'Sign in a device', pending: undefined, csrfToken: csrfToken(req) });
        return;
      }
      const pending = await deps.devices.pending(user(req), entered, requestContext(req, res));
      res.render('cli-device', {
        title: 'Sign in a device',
        pending: { ...pending, userCode: displayUserCode(pending.userCode) },
        csrfToken: csrfToken(req),
      });
    }),
  );

  router.post(
    '/cli/device',
    requireUser(),
    form,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      const body = req.body as Record<string, unknown>;
      const approve = body.decision === 'approve';
      await deps.devices.decide(user(req), body.user_code, approve, requestContext(req, res));
      res.setHeader('Cache-Control', 'no-store');
      res.render('cli-continue', {
        title: approve ? 'Device signed in' : 'Sign-in denied',
        approved: approve,
        continueUrl: undefined,
        toolName: undefined,
      });
    }),
  );
}

/** "Signed-in tools" and their revoke buttons. */
function tokenRoutes(router: Router, deps: CliPageDeps): void {
  router.get(
    '/cli/tokens',
    requireUser(),
    asyncHandler(async (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.render('cli-tokens', {
        title: 'Signed-in tools',
        tokens: await deps.tokens.list(user(req)),
        csrfToken: csrfToken(req),
      });
    }),
  );

  router.post(
    '/cli/tokens/:id/revoke',
    requireUser(),
    form,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      await deps.tokens.revokeById(user(req), String(req.params.id ?? ''), requestContext(req, res));
      res.redirect(303, '/cli/tokens');
    }),
  );
}
