// node-saml reports every refusal as a plain Error with a message; this maps those messages to
// AssertionRejected with a stable code, keeping the original as `cause`. Unknown messages become
// SAML_INVALID rather than a 500: whatever node-saml refused, the sign-in did not happen.
import { AssertionRejected, type ErrorCode } from '../errors.ts';
import { CLOCK_MESSAGES } from './clock-messages.ts';

interface Rule {
  test: RegExp;
  code: ErrorCode;
  publicMessage: string;
}

const RULES: readonly Rule[] = [
  {
    test: /^(Unknown|Missing) SAML issuer/,
    code: 'SAML_ISSUER_MISMATCH',
    publicMessage: 'The response was issued by a different identity provider than this connection expects.',
  },
  {
    test: /^InResponseTo is missing/,
    code: 'SAML_UNSOLICITED',
    publicMessage:
      'This identity provider may not start sign-ins on its own (IdP-initiated login is off). Start from this site instead.',
  },
  {
    test: /InResponseTo is not valid|InResponseTo does not match/,
    code: 'SAML_IN_RESPONSE_TO_UNKNOWN',
    publicMessage:
      'The response answers a sign-in request this service did not send, or one that was already used or has expired. Start the sign-in again.',
  },
  {
    test: /multiple assertions/,
    code: 'SAML_MULTIPLE_ASSERTIONS',
    publicMessage: 'The response carries more than one assertion; exactly one is accepted.',
  },
  {
    test: /No decryption key/,
    code: 'SAML_DECRYPTION_KEY_MISSING',
    publicMessage: 'The assertion is encrypted but this service has no decryption key for it (sp.decryptionKey).',
  },
  {
    test: /EncryptedAssertion|decrypt|oaep|rsa routines|wrong final block/i,
    code: 'SAML_DECRYPTION_FAILED',
    publicMessage: "The encrypted assertion could not be decrypted with this service's key.",
  },
  {
    test: /[Ss]ignature|Cannot obtain assertion from signed data/,
    code: 'SAML_SIGNATURE_INVALID',
    publicMessage: "The response is not signed by one of this identity provider's trusted certificates.",
  },
  { test: /not yet valid/, code: 'SAML_NOT_YET_VALID', publicMessage: CLOCK_MESSAGES.early },
  { test: /expired/, code: 'SAML_EXPIRED', publicMessage: CLOCK_MESSAGES.expired },
  {
    test: /audience|AudienceRestriction/i,
    code: 'SAML_AUDIENCE_MISMATCH',
    publicMessage: 'The assertion is meant for a different audience than this service accepts.',
  },
  {
    test: /Error parsing NotOnOrAfter|Error parsing NotBefore/,
    code: 'SAML_SUBJECT_CONFIRMATION_INVALID',
    publicMessage: 'The assertion has a time window that cannot be read.',
  },
  {
    test: /ref URI included quote/,
    code: 'SAML_SIGNATURE_INVALID',
    publicMessage: "The response is not signed by one of this identity provider's trusted certificates.",
  },
  {
    test: /subject confirmation/,
    code: 'SAML_SUBJECT_CONFIRMATION_INVALID',
    publicMessage: 'The assertion has no valid bearer subject confirmation for this service.',
  },
  {
    test: /Missing SAML assertion|Unknown SAML response/,
    code: 'SAML_ASSERTION_MISSING',
    publicMessage: 'The response carries no assertion.',
  },
  {
    test: /multiple conditions/,
    code: 'SAML_MALFORMED',
    publicMessage: 'The assertion has more than one Conditions element.',
  },
  {
    test: /not supported/,
    code: 'SAML_ALGORITHM_NOT_ALLOWED',
    publicMessage: 'The response uses a signature algorithm this service does not accept.',
  },
];

export function toAssertionRejected(err: unknown): AssertionRejected {
  if (err instanceof AssertionRejected) return err;
  const message = err instanceof Error ? err.message : String(err);
  const rule = RULES.find((r) => r.test.test(message));
  return new AssertionRejected({
    code: rule?.code ?? 'SAML_INVALID',
    publicMessage: rule?.publicMessage ?? 'The SAML response could not be validated.',
    cause: err,
    details: { reason: message.slice(0, 300) },
  });
}
