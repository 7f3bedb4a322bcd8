// The CLI's machine endpoints: start a device sign-in, redeem a code or poll a device code for a
// token (OAuth's token-endpoint shape: RFC 6749 §5, RFC 8628 §3.4-3.5), and revoke a token.
// Tokens travel only in response bodies, never in a URL.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../../logger.ts';
import { isAppError } from '../../errors.ts';
import type { CodeGrant } from '../../cli-auth/cli-code-grant.ts';
import type { DeviceGrant } from '../../cli-auth/cli-device-grant.ts';
import type { CliTokens, IssuedCliToken } from '../../cli-auth/cli-tokens.ts';
import { cliRefusal, oauthErrorOf } from '../../cli-auth/cli-errors.ts';
import { requestContext } from '../request-context.ts';
import { clientName } from '../cli-client-name.ts';
import { openApiDocument } from '../openapi.ts';

export interface CliApiDeps {
  baseUrl: string;
  codes: CodeGrant;
  devices: DeviceGrant;
  tokens: CliTokens;
  logger: Logger;
  now: () => Date;
}

export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

// OAuth clients send forms; our CLI sends JSON. Both are small.
const bodies = [
  express.json({ limit: '4kb', strict: true }),
  express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 }),
];

export function cliApiRoutes(deps: CliApiDeps): Router {
  const router = Router();
  const base = deps.baseUrl.replace(/\/+$/, '');

  router.post(
    '/api/cli/device',
    ...bodies,
    oauth(deps, async (req, res) => {
      const body = fields(req);
      const started = await deps.devices.start(clientName(body.client_name));
      const verificationUri = `${base}/cli/device`;
      res.json({
        device_code: started.deviceCode,
        user_code: `${started.userCode.slice(0, 4)}-${started.userCode.slice(4)}`,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${started.userCode}`,
        expires_in: started.expiresIn,
        interval: started.interval,
      });
    }),
  );

  router.post(
    '/api/cli/token',
    ...bodies,
    oauth(deps, async (req, res) => {
      const body = fields(req);
      const ctx = requestContext(req, res);
      const issued = await redeemGrant(deps, body, ctx);
      const expiresIn = Math.max(0, Math.floor((issued.expiresAt.getTime() - deps.now().getTime()) / 1000));
      res.json({
        access_token: issued.token,
        token_type: 'Bearer',
        expires_in: expiresIn,
        expires_at: issued.expiresAt.toISOString(),
        token_id: issued.tokenId,
      });
    }),
  );

  // RFC 7009: the answer is the same whether or not the token was known.
  router.post(
    '/api/cli/revoke',
    ...bodies,
    oauth(deps, async (req, res) => {
      const token = fields(req).token;
      if (typeof token !== 'string' || token.length > 200)
        throw cliRefusal('BAD_REQUEST', 'invalid_request', 'Expected { "token": string }.');
      await deps.tokens.revokeToken(token, requestContext(req, res));
      res.json({ revoked: true });
    }),
  );

  router.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument(base));
  });

  return router;
}

/** A token for an authorization code (with PKCE) or a device code, by grant_type. */
function redeemGrant(
  deps: CliApiDeps,
  body: Record<string, unknown>,
  ctx: ReturnType<typeof requestContext>,
): Promise<IssuedCliToken> {
  if (body.grant_type === 'authorization_code') {
    return deps.codes.redeem(
      { code: body.code, codeVerifier: body.code_verifier, redirectUri: body.redirect_uri, state: body.state },
      ctx,
    );
  }
  if (body.grant_type === DEVICE_GRANT_TYPE) return deps.devices.poll(body.device_code, ctx);
  throw cliRefusal(
    'CLI_GRANT_TYPE_UNSUPPORTED',
    'unsupported_grant_type',
    `grant_type must be authorization_code or ${DEVICE_GRANT_TYPE}.`,
  );
}

function fields(req: Request): Record<string, unknown> {
  return (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
}

/**
 * Answers refusals in OAuth's shape, `{ error, error_description }`, plus our stable `code` and
 * the request ID; anything else goes to the error handler. Never cached: bodies carry tokens.
 */
function oauth(deps: CliApiDeps, handler: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Cache-Control', 'no-store');
    handler(req, res).catch((err: unknown) => {
      const oauthError = oauthErrorOf(err);
      if (oauthError === undefined || !isAppError(err)) {
        next(err);
        return;
      }
      const requestId = String(res.locals.requestId ?? '');
      // Pending and slow_down are the normal rhythm of a device sign-in, not refusals.
      const routine = oauthError === 'authorization_pending' || oauthError === 'slow_down';
      deps.logger[routine ? 'debug' : 'warn'](
        { requestId, code: err.code, status: err.status, path: req.path },
        'cli request refused',
      );
      res
        .status(err.status)
        .json({ error: oauthError, error_description: err.publicMessage, code: err.code, requestId });
    });
  };
}
