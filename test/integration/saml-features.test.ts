// SAML features per IdP connection, through the real ServiceProvider (node-saml, xml-crypto,
// xml-encryption, SQLite request and replay caches), in-process, with responses signed at test time
// with the fixture keys. Here: which element must be signed, and SHA-1. Encrypted assertions are in
// saml-features-encryption.test.ts, NameID and attribute NameFormats in saml-features-formats.test.ts,
// clock skew and IdP-initiated login in saml-features-initiation.test.ts.
import { describe } from 'node:test';
import { fixtureKeys } from '../support/sign-response.ts';
import { runCases } from './support-saml-features.ts';

describe('signature policy per IdP (wantAssertionsSigned, wantResponseSigned)', () => {
  const assertionOnly = { signAssertion: true, signResponse: false };
  const responseOnly = { signAssertion: false, signResponse: true };
  const both = { signAssertion: true, signResponse: true };
  runCases([
    {
      name: 'accepts an assertion-only signature by default',
      scenario: { response: assertionOnly },
      expect: 'accepted',
    },
    { name: 'accepts Response and assertion both signed by default', scenario: { response: both }, expect: 'accepted' },
    {
      name: 'refuses a response-only signature by default',
      scenario: { response: responseOnly },
      expect: 'SAML_SIGNATURE_INVALID',
    },
    {
      name: 'accepts a response-only signature with wantAssertionsSigned: false',
      scenario: { idp: { wantAssertionsSigned: false }, response: responseOnly },
      expect: 'accepted',
    },
    {
      name: 'still refuses a response with no signature at all with wantAssertionsSigned: false',
      scenario: { idp: { wantAssertionsSigned: false }, response: { signAssertion: false, signResponse: false } },
      expect: 'SAML_SIGNATURE_INVALID',
    },
    {
      name: 'refuses a response-only signature by a key the IdP entry does not trust, with wantAssertionsSigned: false',
      scenario: { idp: { wantAssertionsSigned: false }, response: { ...responseOnly, key: fixtureKeys.attacker } },
      expect: 'SAML_SIGNATURE_INVALID',
    },
    {
      name: 'refuses an assertion-only signature with wantResponseSigned: true',
      scenario: { idp: { wantResponseSigned: true }, response: assertionOnly },
      expect: 'SAML_SIGNATURE_INVALID',
    },
    {
      name: 'accepts Response and assertion both signed with wantResponseSigned: true',
      scenario: { idp: { wantResponseSigned: true }, response: both },
      expect: 'accepted',
    },
    {
      name: 'accepts a response-only signature with wantResponseSigned: true and wantAssertionsSigned: false',
      scenario: { idp: { wantResponseSigned: true, wantAssertionsSigned: false }, response: responseOnly },
      expect: 'accepted',
    },
  ]);
});

describe('SHA-1 signatures (allowSha1Signatures)', () => {
  const sha1 = { signatureAlgorithm: 'sha1' } as const;
  runCases([
    {
      name: 'refuses an assertion signed with RSA-SHA1 and a SHA-1 digest, naming SHA1',
      scenario: { response: sha1 },
      expect: 'SAML_ALGORITHM_NOT_ALLOWED',
      message: /SHA1/,
    },
    {
      name: 'refuses a Response and assertion both signed with SHA-1, naming SHA1',
      scenario: { response: { ...sha1, signResponse: true } },
      expect: 'SAML_ALGORITHM_NOT_ALLOWED',
      message: /SHA1/,
    },
    {
      name: 'refuses a SHA-1 response-only signature with wantAssertionsSigned: false',
      scenario: {
        idp: { wantAssertionsSigned: false },
        response: { ...sha1, signAssertion: false, signResponse: true },
      },
      expect: 'SAML_ALGORITHM_NOT_ALLOWED',
      message: /SHA1/,
    },
    {
      name: 'accepts a SHA-1 signed assertion with allowSha1Signatures: true',
      scenario: { idp: { allowSha1Signatures: true }, response: sha1 },
      expect: 'accepted',
    },
    {
      name: 'still accepts RSA-SHA256 with allowSha1Signatures: true',
      scenario: { idp: { allowSha1Signatures: true } },
      expect: 'accepted',
    },
  ]);
});
