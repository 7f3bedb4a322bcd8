// passport-saml's SamlStrategy for one IdP connection: the SP's entry point at the ACS. It owns
// the connection's node-saml instance (built once, with the strategy, when the connection
// changes). Around passport-saml's own work (node-saml's validatePostResponseAsync) it runs the
// service's checks: before it (acs-checks.ts checkBeforeSaml, then taking the InResponseTo from
// the shared store) and in its verify step (checkVerifiedProfile). With validation threads, its
// node-saml is a PooledSaml that runs validatePostResponseAsync on them (validation-pool.ts), given
// the request ID this attempt took. Passport hands the outcome to
// the caller's callback: a ValidatedLogin, or an AssertionRejected with our stable code.
import type { Request, Response } from 'express';
import type passportModule from 'passport';
import type { AuthenticateOptions } from 'passport';
import {
  Strategy as SamlStrategy,
  ValidateInResponseTo,
  type PassportSamlConfig,
  type Profile,
  type SAML,
} from '@node-saml/passport-saml';
import type { Piscina } from 'piscina';
import { AssertionRejected } from '../errors.ts';
import type { ReplayCache } from '../store/ports.ts';
import { checkBeforeSaml, checkVerifiedProfile, explainSamlError } from './acs-checks.ts';
import type { AcsContext, ValidatedLogin } from './acs-checks.ts';
import type { ResponseEnvelope } from './response-envelope.ts';
import type { StoreRequestIdCache } from './request-id-cache.ts';
import { PooledSaml, recordTakenRequest } from './validation-pool.ts';

/** A Passport of its own (one per app), as `new passport.Passport()` makes it. */
export type AppPassport = InstanceType<typeof passportModule.Passport>;

export interface AcsAuthenticateOptions extends AuthenticateOptions {
  /** Whether the posting browser started the sign-in its InResponseTo names (web/login-binding.ts). */
  isBoundRequest?: (requestId: string) => boolean;
}

interface Attempt {
  envelope?: ResponseEnvelope;
  takenRequestId?: string;
  /** From the verify step on, errors are ours already and pass unchanged. */
  verifying: boolean;
}

// Per request: passport runs each attempt on its own object made from the strategy.
const attempts = new WeakMap<object, Attempt>();

export class AcsStrategy extends SamlStrategy {
  constructor(
    options: PassportSamlConfig & { name: string },
    private readonly ctx: AcsContext,
    private readonly requests: StoreRequestIdCache,
    replay: ReplayCache,
    /** The validation threads' pool, or undefined to validate on the event loop (validation-pool.ts). */
    pool?: () => Piscina,
  ) {
    const samlOptions = { ...options, passReqToCallback: true };
    super(
      samlOptions,
      (req: Request, profile: Profile | null, done: (err: Error | null, user?: Record<string, unknown>) => void) => {
        const attempt = attempts.get(req);
        if (attempt === undefined) throw new Error('ACS verify step without an attempt');
        attempt.verifying = true;
        this.releaseRequest(attempt);
        checkVerifiedProfile(ctx, replay, attempt.envelope as ResponseEnvelope, profile).then(
          (login) => done(null, { ...login, samlResponse: (req.body as { SAMLResponse: string }).SAMLResponse }),
          (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
        );
      },
      // Logout messages are handled by saml/single-logout.ts, never through this strategy.
      (_req: Request, _profile: Profile | null, done: (err: Error | null) => void) =>
        done(new Error('not a logout endpoint')),
    );
    if (pool !== undefined) this._saml = new PooledSaml(samlOptions, pool);
  }

  /** The connection's node-saml instance (AuthnRequests, metadata, logout). */
  get saml(): SAML {
    if (this._saml === undefined) throw new Error('passport-saml built no SAML instance');
    return this._saml;
  }

  override authenticate(req: Request, options: AcsAuthenticateOptions): void {
    const attempt: Attempt = { verifying: false };
    attempts.set(req, attempt);
    // `this` is passport's object for this request: its error() reports to the caller's callback.
    const report = this.error.bind(this);
    this.error = (err: Error) => {
      this.releaseRequest(attempt);
      report(attempt.verifying ? err : explainSamlError(err, attempt.envelope, this.ctx));
    };
    const body = (req.body ?? {}) as Record<string, unknown>;
    const query = (req.query ?? {}) as Record<string, unknown>;
    this.checkBefore(attempt, body, query, options.isBoundRequest).then(
      () => super.authenticate(req, { samlFallback: 'login-request' }),
      (err: unknown) => report(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private async checkBefore(
    attempt: Attempt,
    body: Record<string, unknown>,
    query: Record<string, unknown>,
    isBound?: (id: string) => boolean,
  ): Promise<void> {
    // passport-saml would validate a message in the query string instead of the checked body.
    if (query.SAMLResponse !== undefined || query.SAMLRequest !== undefined) {
      const publicMessage = 'The ACS takes the SAMLResponse in the POST body only.';
      throw new AssertionRejected({ code: 'SAML_MALFORMED', status: 400, publicMessage });
    }
    attempt.envelope = await checkBeforeSaml(this.ctx, body.SAMLResponse, isBound);
    const inResponseTo = attempt.envelope.inResponseTo;
    // An empty or absent InResponseTo is node-saml's to judge (IdP-initiated, or "missing").
    const checked = this.saml.options.validateInResponseTo !== ValidateInResponseTo.never;
    if (inResponseTo === undefined || inResponseTo === '' || !checked) return;
    if (!(await this.requests.take(inResponseTo))) {
      throw explainSamlError(new Error('InResponseTo is not valid'), attempt.envelope, this.ctx);
    }
    attempt.takenRequestId = inResponseTo;
    recordTakenRequest(body, inResponseTo, this.requests.takenValue(inResponseTo) ?? '');
  }

  private releaseRequest(attempt: Attempt): void {
    if (attempt.takenRequestId !== undefined) this.requests.release(attempt.takenRequestId);
  }
}

/** Strategy names in Passport: one per IdP connection, never clashing with Passport's own "session". */
export function strategyName(idpId: string): string {
  return `saml:${idpId}`;
}

/**
 * Runs the connection's strategy through Passport with a custom callback, so the caller decides
 * the answer (our error pages and JSON codes); nothing is written to the session here.
 */
export function authenticateAcs(
  passport: AppPassport,
  name: string,
  req: Request,
  res: Response,
  options: AcsAuthenticateOptions = {},
): Promise<ValidatedLogin> {
  return new Promise((resolve, reject) => {
    const callback = (err: unknown, login: ValidatedLogin | false | undefined) => {
      if (err !== null && err !== undefined) reject(err instanceof Error ? err : new Error(String(err)));
      else if (login === false || login === undefined) {
        const publicMessage = 'The SAML response could not be validated.';
        reject(new AssertionRejected({ code: 'SAML_INVALID', publicMessage }));
      } else resolve(login);
    };
    const passportOptions = { session: false, ...options };
    const next = (err?: unknown) => callback(err ?? new Error('passport passed the ACS request on'), undefined);
    passport.authenticate(name, passportOptions, callback)(req, res, next);
  });
}
