// The SP's passport-saml strategies: one per connection in the app's Passport, kept while the
// connection is unchanged, replaced when it changes, unregistered when it goes; and the ACS
// attempt's InResponseTo taken once from the store, so of two responses to one request one wins.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aShapeServiceProvider, SHAPE_IDP_ID } from '../../support/idp-shape-sp.ts';
import { aSamlResponse, fixtureKeys } from '../../support/sign-response.ts';
import { rejectionOf } from '../../support/unit-errors.ts';

type Registered = { _strategy(name: string): unknown };

describe('ServiceProvider strategies', () => {
  it('registers saml:<id> at construction and keeps it (and its node-saml) while the connection is unchanged', async () => {
    const shape = aShapeServiceProvider();
    try {
      const passport = shape.sp.passport as unknown as Registered;
      const first = passport._strategy(`saml:${SHAPE_IDP_ID}`);
      assert.ok(first !== undefined, 'registered when the SP is built');
      const saml = shape.sp.samlFor(SHAPE_IDP_ID);
      shape.sp.setConnections(shape.sp.listIdps().map((idp) => ({ ...idp })));
      await shape.sp.validateResponse(
        SHAPE_IDP_ID,
        aSamlResponse({ destination: shape.acsUrl, recipient: shape.acsUrl, inResponseTo: await shape.startLogin() }),
      );
      assert.equal(
        passport._strategy(`saml:${SHAPE_IDP_ID}`),
        first,
        'the same strategy after an unchanged refresh and a sign-in',
      );
      assert.equal(shape.sp.samlFor(SHAPE_IDP_ID), saml);
    } finally {
      await shape.close();
    }
  });

  it('replaces the strategy when the connection changes (certificate rollover) and removes it with the connection', async () => {
    const shape = aShapeServiceProvider();
    try {
      const passport = shape.sp.passport as unknown as Registered;
      const before = passport._strategy(`saml:${SHAPE_IDP_ID}`);
      const [idp] = shape.sp.listIdps();
      assert.ok(idp !== undefined);
      shape.sp.setConnections([{ ...idp, certs: [fixtureKeys.idpNext.certificate] }]);
      assert.notEqual(passport._strategy(`saml:${SHAPE_IDP_ID}`), before, 'rebuilt for the new certificate');
      const signed = aSamlResponse({
        destination: shape.acsUrl,
        recipient: shape.acsUrl,
        inResponseTo: await shape.startLogin(),
        key: fixtureKeys.idpNext,
      });
      assert.equal((await shape.sp.validateResponse(SHAPE_IDP_ID, signed)).identity.idpId, SHAPE_IDP_ID);
      shape.sp.setConnections([]);
      assert.equal(passport._strategy(`saml:${SHAPE_IDP_ID}`), undefined, 'unregistered');
      assert.equal(
        ((await rejectionOf(shape.sp.validateResponse(SHAPE_IDP_ID, signed))) as { code?: string }).code,
        'IDP_UNKNOWN',
      );
    } finally {
      await shape.close();
    }
  });

  it('lets exactly one of two concurrent responses to one AuthnRequest through', async () => {
    const shape = aShapeServiceProvider();
    try {
      const requestId = await shape.startLogin();
      const responses = [0, 1].map(() =>
        aSamlResponse({ destination: shape.acsUrl, recipient: shape.acsUrl, inResponseTo: requestId }),
      );
      const outcomes = await Promise.allSettled(responses.map((r) => shape.sp.validateResponse(SHAPE_IDP_ID, r)));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
      const refused = outcomes.find((o) => o.status === 'rejected');
      assert.equal((refused?.reason as { code?: string } | undefined)?.code, 'SAML_IN_RESPONSE_TO_UNKNOWN');
    } finally {
      await shape.close();
    }
  });
});
