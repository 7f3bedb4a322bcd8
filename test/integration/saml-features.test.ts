// SAML features per IdP connection, through the real ServiceProvider (node-saml, xml-crypto,
// xml-encryption, SQLite request and replay caches), in-process: which element must be signed,
// SHA-1, encrypted assertions, NameID and attribute NameFormats, clock skew, IdP-initiated login.
// Responses are signed at test time with the fixture keys. node-saml checks times against the real
// clock, so the clock cases shift the IdP's timestamps relative to it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { NAMEID_FORMAT } from '../../src/dev/saml-response.ts';
import type { ValidatedLogin } from '../../src/saml/service-provider.ts';
import { encryptAssertionInResponse } from '../support/encrypt-assertion.ts';
import { aShapeServiceProvider, type ShapeSpOptions } from '../support/idp-shape-sp.ts';
import {
  aSamlResponseXml,
  fixtureKeys,
  TEST_PRINCIPAL_ARN,
  TEST_ROLE_ARN,
  type SamlResponseOverrides,
} from '../support/sign-response.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const SP_DECRYPTION = { decryptionKey: fixtureKeys.sp.privateKey, decryptionCert: fixtureKeys.sp.certificate };

type Outcome = { accepted: ValidatedLogin } | { refused: unknown };

interface Scenario extends ShapeSpOptions {
  /** 'sp' (default) sends an AuthnRequest first and answers it; 'idp' sends no InResponseTo. */
  initiated?: 'sp' | 'idp';
  /**
   * Signed response overrides (destination, recipient and inResponseTo are filled in); a function is called when the
   * test runs.
   */
  response?: SamlResponseOverrides | (() => SamlResponseOverrides);
  /** Rewrites the signed XML before it is posted (encryption). */
  then?: (xml: string) => Promise<string>;
}

/** Builds a fresh SP, sends the response the scenario describes, and reports the outcome. */
async function run(scenario: Scenario): Promise<Outcome> {
  const h = aShapeServiceProvider({ idp: scenario.idp, sp: scenario.sp, now: scenario.now });
  try {
    const inResponseTo = scenario.initiated === 'idp' ? undefined : await h.startLogin();
    const overrides = typeof scenario.response === 'function' ? scenario.response() : scenario.response;
    const signed = aSamlResponseXml({ destination: h.acsUrl, recipient: h.acsUrl, inResponseTo, ...overrides });
    const xml = scenario.then === undefined ? signed : await scenario.then(signed);
    try {
      return { accepted: await h.validateXml(xml) };
    } catch (err) {
      return { refused: err };
    }
  } finally {
    await h.close();
  }
}

function assertAccepted(outcome: Outcome): ValidatedLogin {
  if ('refused' in outcome) {
    const err = outcome.refused;
    assert.fail(
      `expected the response to be accepted, got ${err instanceof AppError ? `${err.code}: ${err.publicMessage}` : String(err)}`,
    );
  }
  assert.equal(outcome.accepted.identity.roleSessionName, 'alice');
  assert.deepEqual(outcome.accepted.identity.roles, [{ roleArn: TEST_ROLE_ARN, principalArn: TEST_PRINCIPAL_ARN }]);
  return outcome.accepted;
}

function assertRefused(outcome: Outcome, code: string): AppError {
  assert.ok('refused' in outcome, `expected ${code}, but the response was accepted`);
  const err = outcome.refused;
  assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
  assert.equal(err.code, code, `code (message: ${err.publicMessage})`);
  assert.equal(err.status, 401);
  return err;
}

interface Case {
  name: string;
  scenario: Scenario;
  /** 'accepted', or the refusal code. */
  expect: string;
  /** Checked against the refusal's public message. */
  message?: RegExp;
}

function runCases(cases: readonly Case[]): void {
  for (const c of cases) {
    it(c.name, async () => {
      const outcome = await run(c.scenario);
      if (c.expect === 'accepted') {
        assertAccepted(outcome);
        return;
      }
      const err = assertRefused(outcome, c.expect);
      if (c.message !== undefined) assert.match(err.publicMessage, c.message);
    });
  }
}

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

describe('NameID formats and attribute NameFormats', () => {
  for (const [label, format] of Object.entries(NAMEID_FORMAT)) {
    it(`accepts NameID format ${label} and carries NameID and format into the identity`, async () => {
      const nameId = label === 'emailAddress' ? 'alice@example.com' : `${label}-9f3c6d0e2b1a4c5d`;
      const login = assertAccepted(await run({ response: { nameId, nameIdFormat: format } }));
      assert.equal(login.identity.nameId, nameId);
      assert.equal(login.identity.nameIdFormat, format);
    });
  }

  for (const attributeNameFormat of ['uri', 'basic', 'unspecified'] as const) {
    it(`reads the attributes alike with NameFormat ${attributeNameFormat}`, async () => {
      const login = assertAccepted(await run({ response: { attributeNameFormat } }));
      const { roles, roleSessionName, dbUser, dbGroups } = login.identity;
      assert.deepEqual(
        { roles, roleSessionName, dbUser, dbGroups },
        {
          roles: [{ roleArn: TEST_ROLE_ARN, principalArn: TEST_PRINCIPAL_ARN }],
          roleSessionName: 'alice',
          dbUser: 'alice',
          dbGroups: ['analysts'],
        },
      );
    });
  }
});

describe('clock skew between IdP and SP', () => {
  /** IdP clock `seconds` ahead: IssueInstant and NotBefore that far in the future (read when the test runs). */
  const ahead = (seconds: number) => (): SamlResponseOverrides => {
    const idpNow = new Date(Date.now() + seconds * SECOND);
    return { now: idpNow, notBefore: idpNow, notOnOrAfter: new Date(idpNow.getTime() + 5 * MINUTE) };
  };
  /** IdP clock behind: every window (Conditions and bearer confirmation) ended `seconds` ago. */
  const endedAgo = (seconds: number) => (): SamlResponseOverrides => {
    const end = new Date(Date.now() - seconds * SECOND);
    const issued = new Date(end.getTime() - 5 * MINUTE);
    return { now: issued, notBefore: new Date(issued.getTime() - MINUTE), notOnOrAfter: end, subjectNotOnOrAfter: end };
  };

  for (const initiated of ['sp', 'idp'] as const) {
    const base = { initiated, idp: initiated === 'idp' ? { allowIdpInitiated: true } : {} };
    const perIdpSkew = { ...base.idp, clockSkewSeconds: 180 };
    const label = initiated === 'sp' ? 'SP-initiated' : 'IdP-initiated';
    runCases([
      {
        name: `${label}: accepts an IdP clock 50 s ahead with the default 60 s skew`,
        scenario: { ...base, response: ahead(50) },
        expect: 'accepted',
      },
      {
        name: `${label}: accepts an assertion whose windows ended 50 s ago with the default 60 s skew`,
        scenario: { ...base, response: endedAgo(50) },
        expect: 'accepted',
      },
      {
        name: `${label}: refuses an IdP clock 120 s ahead, naming the clock`,
        scenario: { ...base, response: ahead(120) },
        expect: 'SAML_NOT_YET_VALID',
        message: /clock/i,
      },
      {
        name: `${label}: refuses an assertion whose windows ended 120 s ago, naming the clock`,
        scenario: { ...base, response: endedAgo(120) },
        expect: 'SAML_EXPIRED',
        message: /clock/i,
      },
      {
        name: `${label}: accepts an IdP clock 120 s ahead with clockSkewSeconds: 180`,
        scenario: { ...base, idp: perIdpSkew, response: ahead(120) },
        expect: 'accepted',
      },
      {
        name: `${label}: accepts windows that ended 120 s ago with clockSkewSeconds: 180`,
        scenario: { ...base, idp: perIdpSkew, response: endedAgo(120) },
        expect: 'accepted',
      },
    ]);
  }
});

describe('IdP-initiated login (allowIdpInitiated)', () => {
  runCases([
    {
      name: 'accepts a response without InResponseTo when allowIdpInitiated is on',
      scenario: { initiated: 'idp', idp: { allowIdpInitiated: true } },
      expect: 'accepted',
    },
    {
      name: 'still accepts SP-initiated responses when allowIdpInitiated is on',
      scenario: { initiated: 'sp', idp: { allowIdpInitiated: true } },
      expect: 'accepted',
    },
    {
      name: 'refuses a response without InResponseTo by default',
      scenario: { initiated: 'idp' },
      expect: 'SAML_UNSOLICITED',
    },
    {
      name: 'refuses a response answering a request this SP never sent, even with allowIdpInitiated on',
      scenario: {
        initiated: 'idp',
        idp: { allowIdpInitiated: true },
        response: { inResponseTo: '_never-sent-0123456789abcdef' },
      },
      expect: 'SAML_IN_RESPONSE_TO_UNKNOWN',
    },
  ]);
});
