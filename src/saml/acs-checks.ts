// The service's own checks on a response posted to the ACS, around node-saml (which checks the
// signature, issuer on logout messages, time windows and InResponseTo):
// - before it (`checkBeforeSaml`): size, base64, well-formed XML without DOCTYPE or XInclude, a
//   SAML Response, signature algorithms, the browser binding, Destination, and an encrypted
//   assertion decrypted by our code for the same checks; all on one parse of the response;
// - after it, on the assertion it verified (`checkVerifiedProfile`): status, issuer, Recipient,
//   audiences, empty NameID, response and authentication age, SessionNotOnOrAfter, one-time use.
import { SamlStatusError, type Profile } from '@node-saml/node-saml';
import { AssertionRejected } from '../errors.ts';
import type { ReplayCache } from '../store/ports.ts';
import type { IdpConnection } from './idp-connection.ts';
import { toAssertionRejected } from './errors.ts';
import { toFederatedIdentity, type FederatedIdentity } from './federated-identity.ts';
import { checkAssertionConditions } from './assertion-conditions.ts';
import { clockProblem, readResponseEnvelope, type ResponseEnvelope } from './response-envelope.ts';
import { checkDecryptedAssertion } from './decrypted-assertion.ts';
import { checkAssertionFreshness } from './assertion-freshness.ts';
import { checkSignatureAlgorithms } from './signature-policy.ts';
import { clockRefusal } from './clock-messages.ts';

export const MAX_SAML_RESPONSE_LENGTH = 100_000;

export interface ValidatedLogin {
  identity: FederatedIdentity;
  assertionId: string;
  /** When the assertion stops being usable anywhere (latest NotOnOrAfter). */
  expiresAt: Date;
  /** SessionNotOnOrAfter of the AuthnStatement, when the IdP sent one (the web session must end by then). */
  sessionNotOnOrAfter?: Date;
  /** The SAMLResponse exactly as validated: what STS gets, and only for the rest of this request. */
  samlResponse: string;
}

export interface AcsContext {
  idp: IdpConnection;
  acsUrl: string;
  audiences: readonly string[];
  /** The SP's decryption key, when it has one. */
  decryptionKey?: string;
  now: () => Date;
}

/** Everything refused before node-saml runs, on the envelope and (when encrypted) the decrypted assertion. */
export async function checkBeforeSaml(
  ctx: AcsContext,
  samlResponse: unknown,
  isBoundRequest?: (requestId: string) => boolean,
): Promise<ResponseEnvelope> {
  if (typeof samlResponse !== 'string' || samlResponse.trim() === '') {
    throw new AssertionRejected({
      code: 'SAML_RESPONSE_MISSING',
      status: 400,
      publicMessage: 'The request carries no SAMLResponse.',
    });
  }
  if (samlResponse.length > MAX_SAML_RESPONSE_LENGTH) {
    throw new AssertionRejected({
      code: 'SAML_RESPONSE_TOO_LARGE',
      status: 413,
      publicMessage: `The SAMLResponse is larger than ${MAX_SAML_RESPONSE_LENGTH} characters.`,
    });
  }
  const { idp, acsUrl } = ctx;
  const envelope = readResponseEnvelope(samlResponse);
  checkSignatureAlgorithms(envelope.algorithms, idp.allowSha1Signatures);
  if (isBoundRequest !== undefined && envelope.inResponseTo !== undefined && !isBoundRequest(envelope.inResponseTo)) {
    throw new AssertionRejected({
      code: 'SAML_LOGIN_NOT_BOUND',
      publicMessage:
        'This sign-in was not started in this browser (or its cookie was blocked). Start the sign-in again from this site.',
    });
  }
  if (envelope.destination !== acsUrl) {
    throw new AssertionRejected({
      code: 'SAML_DESTINATION_MISMATCH',
      publicMessage: "The response was addressed to a different URL than this connection's ACS URL.",
      details: { expected: acsUrl, received: envelope.destination?.slice(0, 200) ?? null },
    });
  }
  if (envelope.encryptedAssertion !== undefined && ctx.decryptionKey !== undefined) {
    checkSignatureAlgorithms(
      await checkDecryptedAssertion(envelope.encryptedAssertion, ctx.decryptionKey),
      idp.allowSha1Signatures,
    );
  }
  return envelope;
}

/** The verify step: what node-saml leaves to us on the profile it verified, then one-time use. */
export async function checkVerifiedProfile(
  ctx: AcsContext,
  replay: ReplayCache,
  envelope: ResponseEnvelope,
  profile: Profile | null,
): Promise<Omit<ValidatedLogin, 'samlResponse'>> {
  const { idp } = ctx;
  if (profile === null || typeof profile.getAssertion !== 'function') {
    throw new AssertionRejected({
      code: 'SAML_ASSERTION_MISSING',
      publicMessage: 'The response carries no assertion.',
    });
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
  const now = ctx.now();
  const skewMs = idp.clockSkewSeconds * 1000;
  const assertion = profile.getAssertion();
  const conditions = checkAssertionConditions(assertion, { acsUrl: ctx.acsUrl, audiences: ctx.audiences, now, skewMs });
  const { sessionNotOnOrAfter } = checkAssertionFreshness(assertion, {
    now,
    skewMs,
    maxResponseAgeMs: idp.maxResponseAgeSeconds * 1000,
    maxAuthnAgeMs: idp.maxAuthnAgeSeconds === undefined ? undefined : idp.maxAuthnAgeSeconds * 1000,
    responseIssueInstant: envelope.issueInstant,
  });
  if (!(await replay.rememberOnce(`${idp.id}:${conditions.assertionId}`, conditions.expiresAt, ctx.now()))) {
    throw new AssertionRejected({
      code: 'SAML_REPLAYED',
      publicMessage: 'This sign-in response was already used. Sign in again.',
    });
  }
  const identity = toFederatedIdentity(
    {
      idpId: idp.id,
      issuer: profile.issuer,
      nameId: profile.nameID,
      nameIdFormat: profile.nameIDFormat,
      sessionIndex: profile.sessionIndex,
    },
    (profile.attributes ?? {}) as Record<string, unknown>,
    idp.attributes,
  );
  return {
    identity,
    assertionId: conditions.assertionId,
    expiresAt: conditions.expiresAt,
    ...(sessionNotOnOrAfter === undefined ? {} : { sessionNotOnOrAfter }),
  };
}

/**
 * node-saml's refusals as our codes: an IdP status by its code and message; "no valid subject
 * confirmation" for a clock problem named as the clock.
 */
export function explainSamlError(
  err: unknown,
  envelope: ResponseEnvelope | undefined,
  ctx: AcsContext,
): AssertionRejected {
  if (err instanceof SamlStatusError) return idpStatusError(envelope?.statusMessage, envelope?.statusCode, err);
  const rejected = toAssertionRejected(err);
  if (
    envelope === undefined ||
    !['SAML_SUBJECT_CONFIRMATION_INVALID', 'SAML_EXPIRED', 'SAML_NOT_YET_VALID'].includes(rejected.code)
  )
    return rejected;
  const problem = clockProblem(envelope.timeWindows, ctx.now().getTime(), ctx.idp.clockSkewSeconds * 1000);
  return problem === undefined ? rejected : clockRefusal(problem, { cause: rejected, details: rejected.details });
}

function idpStatusError(message: string | undefined, code: string | undefined, cause?: unknown): AssertionRejected {
  const shortCode = (code ?? 'unknown').replace(/^urn:oasis:names:tc:SAML:2\.0:status:/, '');
  const idpMessage =
    message === undefined || message.trim() === '' ? '' : ` It said: "${message.trim().slice(0, 300)}"`;
  return new AssertionRejected({
    code: 'SAML_IDP_ERROR',
    publicMessage: `The identity provider did not sign you in (status ${shortCode}).${idpMessage}`,
    cause,
    details: { statusCode: code },
  });
}
