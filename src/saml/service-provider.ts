// The SAML service provider: one node-saml instance per IdP connection (built once, reused),
// AuthnRequests out, responses in. node-saml checks signatures, issuer, times and InResponseTo;
// the checks it leaves out (Destination, Recipient, several audiences, one-time use) are here.
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { SAML, SamlStatusError, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import { AssertionRejected, NotFound } from '../errors.ts';
import type { ReplayCache, RequestIdCache } from '../store/ports.ts';
import type { IdpConnection } from './idp-connection.ts';
import { toAssertionRejected } from './errors.ts';
import { toFederatedIdentity, type FederatedIdentity } from './federated-identity.ts';
import { checkAssertionConditions } from './assertion-conditions.ts';
import { clockProblem, readResponseEnvelope, type ResponseEnvelope } from './response-envelope.ts';
import { checkDecryptedAssertion } from './decrypted-assertion.ts';
import { checkAssertionFreshness } from './assertion-freshness.ts';
import { checkSignatureAlgorithms } from './signature-policy.ts';
import { CLOCK_MESSAGES } from './clock-messages.ts';

export const MAX_SAML_RESPONSE_LENGTH = 100_000;



export interface SpSettings {
  entityId: string;
  baseUrl: string;
  audiences: string[];
  signing?: { privateKey: string; certificate: string };
  decryption?: { privateKey: string; certificate: string };
  requestTtlSeconds: number;
}

export interface ValidatedLogin {
  identity: FederatedIdentity;
  assertionId: string;
  /** When the assertion stops being usable anywhere (latest NotOnOrAfter). */
  expiresAt: Date;
  /** SessionNotOnOrAfter of the AuthnStatement, when the IdP sent one (the web session must end by then). */
  sessionNotOnOrAfter?: Date;
}

export class ServiceProvider {
  private connections: Map<string, IdpConnection>;
  private readonly instances = new Map<string, SAML>();

  constructor(
    private readonly sp: SpSettings,
    idps: readonly IdpConnection[],
    private readonly requests: RequestIdCache,
    private readonly replay: ReplayCache,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.connections = new Map(idps.map((idp) => [idp.id, idp]));
  }

  /** Replaces the connection list (admin console changes); their node-saml instances are rebuilt. */
  setConnections(idps: readonly IdpConnection[]): void {
    this.connections = new Map(idps.map((idp) => [idp.id, idp]));
    this.instances.clear();
  }

  get entityId(): string {
    return this.sp.entityId;
  }

  listIdps(): IdpConnection[] {
    return [...this.connections.values()];
  }

  idp(id: string): IdpConnection {
    const idp = this.connections.get(id);
    if (idp === undefined) throw new NotFound({ code: 'IDP_UNKNOWN', publicMessage: 'There is no identity provider connection with that name.' });
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
    const request = inflateRawSync(Buffer.from(new URL(url).searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
    return { url, requestId: /\sID="([^"]+)"/.exec(request)?.[1] ?? '' };
  }

  sloUrl(idpId: string): string {
    return `${this.sp.baseUrl}/saml/slo/${encodeURIComponent(idpId)}`;
  }

  metadataXml(idpId: string): string {
    const xml = this.samlFor(idpId).generateServiceProviderMetadata(this.sp.decryption?.certificate ?? null, this.sp.signing?.certificate ?? null);
    // node-saml lists Single Logout by HTTP-POST only; the Redirect binding is the one whose
    // top-level GET carries our SameSite=Lax cookie, so offer it first.
    const sloUrl = this.sloUrl(idpId);
    return xml.replace(/(\s*)<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"/, `$1<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${sloUrl}"/>$&`);
  }

  /**
   * `isBoundRequest` (optional) says whether the posting browser started the sign-in that the
   * response's InResponseTo names; see web/login-binding.ts.
   */
  async validateResponse(idpId: string, samlResponse: unknown, isBoundRequest?: (requestId: string) => boolean): Promise<ValidatedLogin> {
    const idp = this.idp(idpId);
    const envelope = await this.checkEnvelope(idp, samlResponse, isBoundRequest);
    let profile: Profile | null;
    try {
      ({ profile } = await this.samlFor(idpId).validatePostResponseAsync({ SAMLResponse: samlResponse as string }));
    } catch (err) {
      if (err instanceof SamlStatusError) throw idpStatusError(envelope.statusMessage, envelope.statusCode, err);
      throw this.explainClock(toAssertionRejected(err), envelope, idp.clockSkewSeconds);
    }
    if (profile === null || typeof profile.getAssertion !== 'function') {
      throw new AssertionRejected({ code: 'SAML_ASSERTION_MISSING', publicMessage: 'The response carries no assertion.' });
    }
    if (envelope.statusCode !== 'urn:oasis:names:tc:SAML:2.0:status:Success') {
      throw idpStatusError(envelope.statusMessage, envelope.statusCode);
    }
    // node-saml 5.1 checks `idpIssuer` only on logout messages; for a login it is ours to check.
    if (profile.issuer !== idp.entityId || (envelope.issuer !== undefined && envelope.issuer !== idp.entityId)) {
      throw new AssertionRejected({
        code: 'SAML_ISSUER_MISMATCH',
        publicMessage: 'The response was issued by a different identity provider than this connection expects.',
        details: { expected: idp.entityId, received: String(profile.issuer ?? envelope.issuer ?? '').slice(0, 200) },
      });
    }
    const now = this.now();
    const skewMs = idp.clockSkewSeconds * 1000;
    const conditions = checkAssertionConditions(profile.getAssertion(), { acsUrl: this.acsUrl(idpId), audiences: this.sp.audiences, now, skewMs });
    const { sessionNotOnOrAfter } = checkAssertionFreshness(profile.getAssertion(), {
      now,
      skewMs,
      maxResponseAgeMs: idp.maxResponseAgeSeconds * 1000,
      maxAuthnAgeMs: idp.maxAuthnAgeSeconds === undefined ? undefined : idp.maxAuthnAgeSeconds * 1000,
      responseIssueInstant: envelope.issueInstant,
    });
    if (!(await this.replay.rememberOnce(`${idpId}:${conditions.assertionId}`, conditions.expiresAt, this.now()))) {
      throw new AssertionRejected({ code: 'SAML_REPLAYED', publicMessage: 'This sign-in response was already used. Sign in again.' });
    }
    const identity = toFederatedIdentity(
      { idpId, issuer: profile.issuer, nameId: profile.nameID, nameIdFormat: profile.nameIDFormat, sessionIndex: profile.sessionIndex },
      (profile.attributes ?? {}) as Record<string, unknown>,
      idp.attributes,
    );
    return { identity, assertionId: conditions.assertionId, expiresAt: conditions.expiresAt, ...(sessionNotOnOrAfter === undefined ? {} : { sessionNotOnOrAfter }) };
  }

  /** Everything refused before node-saml runs, on the envelope and (when encrypted) the decrypted assertion. */
  private async checkEnvelope(idp: IdpConnection, samlResponse: unknown, isBoundRequest?: (requestId: string) => boolean): Promise<ResponseEnvelope> {
    if (typeof samlResponse !== 'string' || samlResponse.trim() === '') {
      throw new AssertionRejected({ code: 'SAML_RESPONSE_MISSING', status: 400, publicMessage: 'The request carries no SAMLResponse.' });
    }
    if (samlResponse.length > MAX_SAML_RESPONSE_LENGTH) {
      throw new AssertionRejected({ code: 'SAML_RESPONSE_TOO_LARGE', status: 413, publicMessage: `The SAMLResponse is larger than ${MAX_SAML_RESPONSE_LENGTH} characters.` });
    }
    const acsUrl = this.acsUrl(idp.id);
    const envelope = readResponseEnvelope(samlResponse);
    checkSignatureAlgorithms(envelope.algorithms, idp.allowSha1Signatures);
    if (isBoundRequest !== undefined && envelope.inResponseTo !== undefined && !isBoundRequest(envelope.inResponseTo)) {
      throw new AssertionRejected({
        code: 'SAML_LOGIN_NOT_BOUND',
        publicMessage: 'This sign-in was not started in this browser (or its cookie was blocked). Start the sign-in again from this site.',
      });
    }
    if (envelope.destination !== acsUrl) {
      throw new AssertionRejected({
        code: 'SAML_DESTINATION_MISMATCH',
        publicMessage: 'The response was addressed to a different URL than this connection\'s ACS URL.',
        details: { expected: acsUrl, received: envelope.destination?.slice(0, 200) ?? null },
      });
    }
    if (envelope.encryptedAssertion !== undefined && this.sp.decryption !== undefined) {
      checkSignatureAlgorithms(await checkDecryptedAssertion(envelope.encryptedAssertion, this.sp.decryption.privateKey), idp.allowSha1Signatures);
    }
    return envelope;
  }

  /** node-saml says "no valid subject confirmation" for a clock problem; name the clock instead. */
  private explainClock(err: AssertionRejected, envelope: ResponseEnvelope, skewSeconds: number): AssertionRejected {
    if (!['SAML_SUBJECT_CONFIRMATION_INVALID', 'SAML_EXPIRED', 'SAML_NOT_YET_VALID'].includes(err.code)) return err;
    const problem = clockProblem(envelope.timeWindows, this.now().getTime(), skewSeconds * 1000);
    if (problem === 'expired') return new AssertionRejected({ code: 'SAML_EXPIRED', publicMessage: CLOCK_MESSAGES.expired, cause: err, details: err.details });
    if (problem === 'early') return new AssertionRejected({ code: 'SAML_NOT_YET_VALID', publicMessage: CLOCK_MESSAGES.early, cause: err, details: err.details });
    return err;
  }

  /** The node-saml instance for one IdP connection; for the other saml/ modules only. */
  samlFor(idpId: string): SAML {
    const cached = this.instances.get(idpId);
    if (cached !== undefined) return cached;
    const idp = this.idp(idpId);
    const saml = new SAML({
      callbackUrl: this.acsUrl(idpId),
      entryPoint: idp.ssoUrl,
      // Without an IdP SLO endpoint node-saml would send LogoutRequests to the SSO URL; we never ask it to.
      logoutUrl: idp.sloUrl ?? idp.ssoUrl,
      logoutCallbackUrl: this.sloUrl(idpId),
      issuer: this.sp.entityId,
      idpIssuer: idp.entityId,
      idpCert: idp.certs,
      // Audiences are checked by checkAssertionConditions: node-saml accepts only one.
      audience: false,
      wantAssertionsSigned: idp.wantAssertionsSigned,
      wantAuthnResponseSigned: idp.wantResponseSigned,
      acceptedClockSkewMs: idp.clockSkewSeconds * 1000,
      validateInResponseTo: idp.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: this.sp.requestTtlSeconds * 1000,
      cacheProvider: this.requestCache(idpId),
      identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      disableRequestedAuthnContext: true,
      generateUniqueId: () => `_${randomBytes(20).toString('hex')}`,
      ...(this.sp.signing === undefined
        ? {}
        : { privateKey: this.sp.signing.privateKey, publicCert: this.sp.signing.certificate, signatureAlgorithm: 'sha256' as const, digestAlgorithm: 'sha256' }),
      ...(this.sp.decryption === undefined ? {} : { decryptionPvk: this.sp.decryption.privateKey }),
    });
    this.instances.set(idpId, saml);
    return saml;
  }

  /** Sent request IDs live in the shared store: the IdP's cross-site POST carries no Lax cookie. */
  private requestCache(idpId: string): CacheProvider {
    const key = (id: string): string => `${idpId}:${id}`;
    return {
      saveAsync: async (id, value) => {
        await this.requests.saveRequestId(key(id), value, new Date(this.now().getTime() + this.sp.requestTtlSeconds * 1000));
        return { value, createdAt: this.now().getTime() };
      },
      getAsync: (id) => this.requests.getRequestId(key(id), this.now()),
      removeAsync: (id) => (id === null ? Promise.resolve(null) : this.requests.removeRequestId(key(id))),
    };
  }
}

function idpStatusError(message: string | undefined, code: string | undefined, cause?: unknown): AssertionRejected {
  const shortCode = (code ?? 'unknown').replace(/^urn:oasis:names:tc:SAML:2\.0:status:/, '');
  const idpMessage = message === undefined || message.trim() === '' ? '' : ` It said: "${message.trim().slice(0, 300)}"`;
  return new AssertionRejected({
    code: 'SAML_IDP_ERROR',
    publicMessage: `The identity provider did not sign you in (status ${shortCode}).${idpMessage}`,
    cause,
    details: { statusCode: code },
  });
}
