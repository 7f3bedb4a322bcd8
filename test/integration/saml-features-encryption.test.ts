// Encrypted assertions per IdP connection (RSA-OAEP key transport, AES-128-CBC, as SimpleSAMLphp sends
// them), through the real ServiceProvider in-process: decrypted with sp.decryptionKey, and refused
// without that key, for another certificate, or with a missing, untrusted or SHA-1 inner signature.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { encryptAssertionInResponse } from '../support/encrypt-assertion.ts';
import { aSamlResponseXml, fixtureKeys } from '../support/sign-response.ts';
import { assertAccepted, assertRefused, run, SP_DECRYPTION } from './support-saml-features.ts';

describe('encrypted assertions (RSA-OAEP key transport, AES-128-CBC, as SimpleSAMLphp sends them)', () => {
  const forSp = (xml: string) => encryptAssertionInResponse(xml, { certificate: fixtureKeys.sp.certificate });

  it('decrypts with sp.decryptionKey and reads the identity', async () => {
    const login = assertAccepted(await run({ sp: SP_DECRYPTION, then: forSp }));
    assert.equal(login.identity.nameId, 'alice@example.com');
    assert.equal(login.identity.dbUser, 'alice');
    assert.deepEqual(login.identity.dbGroups, ['analysts']);
  });

  it('really received an EncryptedAssertion (no plain Assertion left in the response)', async () => {
    const xml = await forSp(
      aSamlResponseXml({ destination: 'https://sp.example/acs', recipient: 'https://sp.example/acs' }),
    );
    assert.match(xml, /<saml:EncryptedAssertion\b[^>]*><xenc:EncryptedData\b/);
    assert.match(xml, /Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#rsa-oaep-mgf1p"/);
    assert.match(xml, /Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#aes128-cbc"/);
    assert.doesNotMatch(xml, /<(\w+:)?Assertion\b/);
    assert.doesNotMatch(xml, /alice/);
  });

  it('refuses an encrypted assertion when the SP has no decryption key', async () => {
    assertRefused(await run({ then: forSp }), 'SAML_DECRYPTION_KEY_MISSING');
  });

  it('refuses an encrypted assertion whose inner signature is missing', async () => {
    assertRefused(
      await run({ sp: SP_DECRYPTION, response: { signAssertion: false }, then: forSp }),
      'SAML_SIGNATURE_INVALID',
    );
  });

  it('refuses an encrypted assertion signed by an untrusted key', async () => {
    assertRefused(
      await run({ sp: SP_DECRYPTION, response: { key: fixtureKeys.attacker }, then: forSp }),
      'SAML_SIGNATURE_INVALID',
    );
  });

  const forAttacker = (xml: string) =>
    encryptAssertionInResponse(xml, { certificate: fixtureKeys.attacker.certificate });

  it("refuses an assertion encrypted for another certificate (the attacker's)", async () => {
    const outcome = await run({ sp: SP_DECRYPTION, then: forAttacker });
    assert.ok('refused' in outcome, 'the response was accepted');
    assert.ok(outcome.refused instanceof AppError, `expected an AppError, got ${String(outcome.refused)}`);
    assert.equal(outcome.refused.status, 401);
    assert.notEqual(outcome.refused.code, 'SAML_DECRYPTION_KEY_MISSING');
  });

  it('names an assertion encrypted for another certificate SAML_DECRYPTION_FAILED', async () => {
    assertRefused(await run({ sp: SP_DECRYPTION, then: forAttacker }), 'SAML_DECRYPTION_FAILED');
  });

  it('refuses by default an encrypted assertion whose inner signature uses SHA-1', async () => {
    const outcome = await run({ sp: SP_DECRYPTION, response: { signatureAlgorithm: 'sha1' }, then: forSp });
    const err = assertRefused(outcome, 'SAML_ALGORITHM_NOT_ALLOWED');
    assert.match(err.publicMessage, /SHA1/);
  });

  it('accepts an encrypted assertion whose inner signature uses SHA-1 with allowSha1Signatures: true', async () => {
    assertAccepted(
      await run({
        sp: SP_DECRYPTION,
        idp: { allowSha1Signatures: true },
        response: { signatureAlgorithm: 'sha1' },
        then: forSp,
      }),
    );
  });

  it('accepts the key transport with an explicit OAEP <DigestMethod …#sha1/> (xml-encryption, ADFS, Shibboleth) under SHA-256 signatures', async () => {
    assertAccepted(
      await run({
        sp: SP_DECRYPTION,
        then: (xml) =>
          encryptAssertionInResponse(xml, { certificate: fixtureKeys.sp.certificate, keepOaepDigestMethod: true }),
      }),
    );
  });
});
