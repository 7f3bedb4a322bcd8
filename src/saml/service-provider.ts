// The SAML service provider: one passport-saml strategy per IdP connection (acs-strategy.ts),
// registered with the app's Passport under `saml:<id>` and rebuilt only when that connection
// changes (setConnections, called by the live registry); its node-saml instance serves
// AuthnRequests, SP metadata and logout too. Nothing SAML is built per request.
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import passportModule from 'passport';
import { ValidateInResponseTo, type SAML, type SamlConfig } from '@node-saml/node-saml';
import type { Request, Response } from 'express';
import { NotFound } from '../errors.ts';
import type { ReplayCache, RequestIdCache } from '../store/ports.ts';
import type { IdpConnection } from './idp-connection.ts';
import type { AcsContext, ValidatedLogin } from './acs-checks.ts';
import { AcsStrategy, authenticateAcs, strategyName, type AppPassport } from './acs-strategy.ts';
import { StoreRequestIdCache } from './request-id-cache.ts';
import { validationPool } from './validation-pool.ts';

export { MAX_SAML_RESPONSE_LENGTH, type ValidatedLogin } from './acs-checks.ts';

export interface SpSettings {
  entityId: string;
  baseUrl: string;
  audiences: string[];
  signing?: { privateKey: string; certificate: string };
  decryption?: { privateKey: string; certificate: string };
  requestTtlSeconds: number;
  /** Threads that check response signatures off the event loop; 0 or absent: on it. */
  validationThreads?: number;
}

export class ServiceProvider {
  private connections = new Map<string, IdpConnection>();
  /** The registered strategy of each connection, with the connection it was built from. */
  private readonly strategies = new Map<string, { built: string; strategy: AcsStrategy }>();

  constructor(
    private readonly sp: SpSettings,
    idps: readonly IdpConnection[],
    private readonly requests: RequestIdCache,
    private readonly replay: ReplayCache,
    private readonly now: () => Date = () => new Date(),
    /** The app's Passport (one per app); its strategies are this SP's. */
    readonly passport: AppPassport = new passportModule.Passport(),
  ) {
    this.setConnections(idps);
  }

  /**
   * Replaces the connection list (console change, certificate rollover, metadata refresh, on this
   * instance or another): a connection that changed gets a new strategy, a removed or disabled
   * one is unregistered, the others keep theirs (and their node-saml instance).
   */
  setConnections(idps: readonly IdpConnection[]): void {
    this.connections = new Map(idps.map((idp) => [idp.id, idp]));
    for (const id of [...this.strategies.keys()]) {
      if (this.connections.has(id)) continue;
      this.passport.unuse(strategyName(id));
      this.strategies.delete(id);
    }
    for (const idp of idps) {
      try {
        this.strategyFor(idp.id);
      } catch {
        // An entry node-saml refuses fails its own sign-ins (strategyFor throws again), not the others.
      }
    }
  }

  get entityId(): string {
    return this.sp.entityId;
  }

  listIdps(): IdpConnection[] {
    return [...this.connections.values()];
  }

  idp(id: string): IdpConnection {
    const idp = this.connections.get(id);
    if (idp === undefined)
      throw new NotFound({
        code: 'IDP_UNKNOWN',
        publicMessage: 'There is no identity provider connection with that name.',
      });
    return idp;
  }

  acsUrl(idpId: string): string {
    return `${this.sp.baseUrl}/saml/acs/${encodeURIComponent(idpId)}`;
  }

  /** The IdP URL carrying a (signed, when a key is configured) AuthnRequest by HTTP-Redirect. */
  async loginRedirectUrl(idpId: string, relayState: string): Promise<string> {
    return (await this.loginRedirect(idpId, relayState)).url;
  }

  /** As loginRedirectUrl, with the AuthnRequest's ID (to bind the sign-in to the browser). */
  async loginRedirect(idpId: string, relayState: string): Promise<{ url: string; requestId: string }> {
    const url = await this.samlFor(idpId).getAuthorizeUrlAsync(relayState, undefined, {});
    const request = inflateRawSync(Buffer.from(new URL(url).searchParams.get('SAMLRequest') ?? '', 'base64')).toString(
      'utf8',
    );
    return { url, requestId: /\sID="([^"]+)"/.exec(request)?.[1] ?? '' };
  }

  sloUrl(idpId: string): string {
    return `${this.sp.baseUrl}/saml/slo/${encodeURIComponent(idpId)}`;
  }

  metadataXml(idpId: string): string {
    const xml = this.samlFor(idpId).generateServiceProviderMetadata(
      this.sp.decryption?.certificate ?? null,
      this.sp.signing?.certificate ?? null,
    );
    // node-saml lists Single Logout by HTTP-POST only; the Redirect binding is the one whose
    // top-level GET carries our SameSite=Lax cookie, so offer it first.
    const sloUrl = this.sloUrl(idpId);
    return xml.replace(
      /(\s*)<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"/,
      `$1<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${sloUrl}"/>$&`,
    );
  }

  /** The Passport strategy name of a connection; IDP_UNKNOWN when there is none. */
  strategyName(idpId: string): string {
    this.strategyFor(idpId);
    return strategyName(idpId);
  }

  /**
   * Validates a posted SAMLResponse through Passport and the connection's strategy, as the ACS
   * route does; for callers without an HTTP request (tests, benchmarks).
   */
  async validateResponse(
    idpId: string,
    samlResponse: unknown,
    isBoundRequest?: (requestId: string) => boolean,
  ): Promise<ValidatedLogin> {
    const name = this.strategyName(idpId);
    const req = {
      method: 'POST',
      url: `/saml/acs/${idpId}`,
      headers: {},
      query: {},
      body: { SAMLResponse: samlResponse },
    } as unknown as Request;
    return authenticateAcs(this.passport, name, req, {} as Response, { isBoundRequest });
  }

  /** The node-saml instance of one IdP connection (its strategy's); for the other saml/ modules only. */
  samlFor(idpId: string): SAML {
    return this.strategyFor(idpId).saml;
  }

  /** The connection's registered strategy, built (and registered) when missing or out of date. */
  private strategyFor(idpId: string): AcsStrategy {
    const idp = this.idp(idpId);
    const built = JSON.stringify(idp);
    const current = this.strategies.get(idpId);
    if (current !== undefined && current.built === built) return current.strategy;
    const name = strategyName(idpId);
    const requests = new StoreRequestIdCache(this.requests, idpId, this.sp.requestTtlSeconds, this.now);
    const ctx: AcsContext = {
      idp,
      acsUrl: this.acsUrl(idpId),
      audiences: this.sp.audiences,
      decryptionKey: this.sp.decryption?.privateKey,
      now: this.now,
    };
    const threads = this.sp.validationThreads ?? 0;
    const pool = threads > 0 ? () => validationPool(threads) : undefined;
    const strategy = new AcsStrategy({ ...this.samlOptions(idp, requests), name }, ctx, requests, this.replay, pool);
    this.passport.use(name, strategy);
    this.strategies.set(idpId, { built, strategy });
    return strategy;
  }

  private samlOptions(idp: IdpConnection, cacheProvider: StoreRequestIdCache): SamlConfig {
    const idpId = idp.id;
    return {
      callbackUrl: this.acsUrl(idpId),
      entryPoint: idp.ssoUrl,
      // Without an IdP SLO endpoint node-saml would send LogoutRequests to the SSO URL; we never ask it to.
      logoutUrl: idp.sloUrl ?? idp.ssoUrl,
      logoutCallbackUrl: this.sloUrl(idpId),
      issuer: this.sp.entityId,
      idpIssuer: idp.entityId,
      idpCert: idp.certs,
      // Audiences are checked by checkVerifiedProfile: node-saml accepts only one.
      audience: false,
      wantAssertionsSigned: idp.wantAssertionsSigned,
      wantAuthnResponseSigned: idp.wantResponseSigned,
      acceptedClockSkewMs: idp.clockSkewSeconds * 1000,
      validateInResponseTo: idp.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: this.sp.requestTtlSeconds * 1000,
      cacheProvider,
      identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      disableRequestedAuthnContext: true,
      generateUniqueId: () => `_${randomBytes(20).toString('hex')}`,
      ...(this.sp.signing === undefined
        ? {}
        : {
            privateKey: this.sp.signing.privateKey,
            publicCert: this.sp.signing.certificate,
            signatureAlgorithm: 'sha256' as const,
            digestAlgorithm: 'sha256',
          }),
      ...(this.sp.decryption === undefined ? {} : { decryptionPvk: this.sp.decryption.privateKey }),
    };
  }
}
