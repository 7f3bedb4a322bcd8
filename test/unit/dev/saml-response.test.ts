// The response builder, checked by an independent validator (node-saml) rather than by itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SAML, type SamlConfig } from '@node-saml/node-saml';
import { buildSamlResponseXml } from '../../../src/dev/saml-response.ts';
import {
  aSamlResponse,
  aSamlResponseSpec,
  fixtureKeys,
  AWS_ROLE,
  AWS_ROLE_SESSION_NAME,
  REDSHIFT_DB_GROUPS,
  REDSHIFT_DB_USER,
  TEST_IDP_ISSUER,
} from '../../support/sign-response.ts';

const ACS = 'https://sso.test.example/saml/acs/test-idp';

function validator(overrides: Partial<SamlConfig> = {}): SAML {
  return new SAML({
    idpCert: fixtureKeys.idp.certificate,
    idpIssuer: TEST_IDP_ISSUER,
    issuer: 'https://sso.test.example/saml/metadata/test-idp',
    callbackUrl: ACS,
    audience: 'urn:amazon:webservices',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: 'never' as SamlConfig['validateInResponseTo'],
    ...overrides,
  });
}

async function profileOf(samlResponse: string, overrides: Partial<SamlConfig> = {}): Promise<Record<string, unknown>> {
  const { profile } = await validator(overrides).validatePostResponseAsync({ SAMLResponse: samlResponse });
  assert.ok(profile, 'expected a profile');
  return profile;
}

describe('buildSamlResponse', () => {
  const signatureCases = [
    {
      name: 'assertion only',
      spec: { signAssertion: true, signResponse: false },
      sp: { wantAssertionsSigned: true, wantAuthnResponseSigned: false },
    },
    {
      name: 'response only',
      spec: { signAssertion: false, signResponse: true },
      sp: { wantAssertionsSigned: false, wantAuthnResponseSigned: true },
    },
    {
      name: 'both',
      spec: { signAssertion: true, signResponse: true },
      sp: { wantAssertionsSigned: true, wantAuthnResponseSigned: true },
    },
    {
      name: 'both, with RSA-SHA1',
      spec: { signAssertion: true, signResponse: true, signatureAlgorithm: 'sha1' as const },
      sp: { wantAssertionsSigned: true, wantAuthnResponseSigned: true },
    },
  ];
  for (const { name, spec, sp } of signatureCases) {
    it(`produces a response node-saml accepts when signing ${name}`, async () => {
      const profile = await profileOf(aSamlResponse({ destination: ACS, ...spec }), sp);
      assert.equal(profile.issuer, TEST_IDP_ISSUER);
      assert.equal(profile.nameID, 'alice@example.com');
      assert.equal(
        profile[AWS_ROLE],
        'arn:aws:iam::123456789012:role/RedshiftAnalyst,arn:aws:iam::123456789012:saml-provider/TestIdP',
      );
      assert.equal(profile[AWS_ROLE_SESSION_NAME], 'alice');
      assert.equal(profile[REDSHIFT_DB_USER], 'alice');
    });
  }

  it('places each signature right after the Issuer of the element it signs', () => {
    const xml = buildSamlResponseXml(aSamlResponseSpec({ signAssertion: true, signResponse: true }));
    assert.match(xml, /^<samlp:Response[^>]*><saml:Issuer>[^<]*<\/saml:Issuer><ds:Signature /);
    assert.match(xml, /<saml:Assertion[^>]*><saml:Issuer>[^<]*<\/saml:Issuer><ds:Signature /);
  });

  it('carries multi-valued attributes as arrays', async () => {
    const samlResponse = aSamlResponse({ extraAttributes: { [REDSHIFT_DB_GROUPS]: ['analysts', 'admins'] } });
    const profile = await profileOf(samlResponse);
    assert.deepEqual(profile[REDSHIFT_DB_GROUPS], ['analysts', 'admins']);
  });

  it('rejects a response signed with an untrusted key', async () => {
    const forged = aSamlResponse({ key: fixtureKeys.attacker });
    await assert.rejects(validator().validatePostResponseAsync({ SAMLResponse: forged }), {
      message: 'Invalid signature',
    });
  });

  it('escapes markup characters in every value', async () => {
    const tricky = `<x a="1" b='2'>&amp;</x>`;
    const samlResponse = aSamlResponse({
      nameId: tricky,
      extraAttributes: { [AWS_ROLE_SESSION_NAME]: tricky, [tricky]: tricky },
    });
    const profile = await profileOf(samlResponse);
    assert.equal(profile.nameID, tricky);
    assert.equal(profile[AWS_ROLE_SESSION_NAME], tricky);
    assert.equal(profile[tricky], tricky);
  });

  it('writes InResponseTo, Destination, Recipient and the time window as given', () => {
    const now = new Date('2030-01-02T03:04:05.000Z');
    const xml = buildSamlResponseXml(
      aSamlResponseSpec({
        now,
        destination: ACS,
        inResponseTo: '_req1',
        responseId: '_resp1',
        assertionId: '_assert1',
      }),
    );
    assert.match(
      xml,
      /<samlp:Response [^>]*ID="_resp1"[^>]*IssueInstant="2030-01-02T03:04:05.000Z" Destination="https:\/\/sso.test.example\/saml\/acs\/test-idp" InResponseTo="_req1">/,
    );
    assert.match(
      xml,
      /<saml:SubjectConfirmationData NotOnOrAfter="2030-01-02T03:09:05.000Z" Recipient="https:\/\/sso.test.example\/saml\/acs\/test-idp" InResponseTo="_req1"\/>/,
    );
    assert.match(xml, /<saml:Conditions NotBefore="2030-01-02T03:03:05.000Z" NotOnOrAfter="2030-01-02T03:09:05.000Z">/);
    assert.match(xml, /<saml:Assertion [^>]*ID="_assert1"/);
  });

  it('builds a response validators reject once its window has passed', async () => {
    const samlResponse = aSamlResponse({ now: new Date('2020-01-01T00:00:00Z') });
    await assert.rejects(validator().validatePostResponseAsync({ SAMLResponse: samlResponse }), /expired/i);
  });

  it('leaves the assertion out of an error status unless asked', async () => {
    const status = { code: 'Responder', subCode: 'AuthnFailed', message: 'no such user' };
    const xml = buildSamlResponseXml(aSamlResponseSpec({ status }));
    assert.doesNotMatch(xml, /Assertion/);
    assert.match(
      xml,
      /<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"\/>/,
    );
    await assert.rejects(
      validator().validatePostResponseAsync({ SAMLResponse: Buffer.from(xml).toString('base64') }),
      /Responder error: no such user/,
    );
    assert.match(buildSamlResponseXml(aSamlResponseSpec({ status, includeAssertion: true })), /<saml:Assertion /);
  });
});
