// The IdP response shapes of idp-shapes.test.ts (cases in support-idp-shape-cases.ts) refused once a
// Role is changed after signing or only the Response is signed while assertions must be, and Entra
// ID's Identifier with an instance suffix, accepted only once sp.audiences lists it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildIdpShapeXml, SHAPES } from '../../support/idp-shape-fixtures.ts';
import { aShapeServiceProvider } from '../../support/idp-shape-sp.ts';
import { TEST_ROLE_ARN } from '../../support/sign-response.ts';
import { assertAppError } from '../../support/unit-errors.ts';
import {
  ALICE_BY_EMAIL,
  cases,
  FORGED_ROLE,
  ONE_ROLE,
  ONE_ROLE_ROLE_FIRST,
  refusalOf,
} from './support-idp-shape-cases.ts';

describe('ServiceProvider.validateResponse refuses altered or under-signed IdP shapes', () => {
  for (const c of cases) {
    it(`rejects ${c.name} when the Role was changed after signing`, async () => {
      let changed = false;
      const err = await refusalOf(c, (xml) => {
        const tampered = xml.replace(TEST_ROLE_ARN, FORGED_ROLE);
        changed = tampered !== xml;
        return tampered;
      });
      assert.ok(changed, 'the role ARN was replaced');
      assertAppError(err, 'SAML_SIGNATURE_INVALID', 401);
    });
  }

  for (const c of cases.filter((x) => x.signed.length === 1 && x.signed[0] === 'Response')) {
    it(`rejects ${c.shape}'s response-only signature while wantAssertionsSigned is left at its default`, async () => {
      assertAppError(await refusalOf({ ...c, idp: {} }), 'SAML_SIGNATURE_INVALID', 401);
    });
  }
});

describe('Entra ID Identifier with an instance suffix (https://signin.aws.amazon.com/saml#2)', () => {
  const entraCase = {
    shape: 'entra',
    ...ALICE_BY_EMAIL,
    attributes: ONE_ROLE_ROLE_FIRST,
  } as const;

  it('is refused with the default sp.audiences (only exact values are accepted)', async () => {
    const err = await refusalOf({ ...entraCase, spec: { audience: 'https://signin.aws.amazon.com/saml#2' } });
    assertAppError(err, 'SAML_AUDIENCE_MISMATCH', 401);
  });

  it('is accepted once sp.audiences lists it', async () => {
    const h = aShapeServiceProvider({
      idp: { entityId: SHAPES.entra.issuer },
      sp: {
        audiences: [
          'urn:amazon:webservices',
          'https://signin.aws.amazon.com/saml',
          'https://signin.aws.amazon.com/saml#2',
        ],
      },
    });
    try {
      const xml = buildIdpShapeXml('entra', {
        ...entraCase,
        acsUrl: h.acsUrl,
        inResponseTo: await h.startLogin(),
        audience: 'https://signin.aws.amazon.com/saml#2',
      });
      const { identity } = await h.validateXml(xml);
      assert.deepEqual(identity.roles, ONE_ROLE.roles);
    } finally {
      await h.close();
    }
  });
});
