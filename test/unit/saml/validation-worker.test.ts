// The validation thread's task function, called in this thread: node-saml on one response with
// only the AuthnRequest ID the event loop took (no store), and what crosses back (profile data and
// its functions, node-saml's messages and the IdP status error) intact.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SamlStatusError, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import validateInThread from '../../../src/saml/validation-worker.ts';
import {
  errorFromOutcome,
  errorToOutcome,
  profileFromData,
  profileToData,
  type ValidationTask,
} from '../../../src/saml/validation-task.ts';
import { aSamlResponse, fixtureKeys, TEST_IDP_ISSUER } from '../../support/sign-response.ts';

const ACS = 'https://sso.example/saml/acs/test';
const REQUEST_ID = '_7a1c0f3e9b2d4c6a8e0f1b3d5c7e9a1b3d5f7a9c';

function task(
  overrides: Partial<ValidationTask> = {},
  response = aSamlResponse({ destination: ACS, recipient: ACS, inResponseTo: REQUEST_ID }),
): ValidationTask {
  return {
    key: 'test',
    options: {
      callbackUrl: ACS,
      issuer: 'https://sso.example/saml/metadata',
      idpIssuer: TEST_IDP_ISSUER,
      idpCert: fixtureKeys.idp.certificate,
      audience: false,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.always,
    },
    container: { SAMLResponse: response },
    takenRequest: { id: REQUEST_ID, value: new Date().toISOString() },
    ...overrides,
  };
}

describe('validation thread task', () => {
  it('validates a signed response answering the request the event loop took', async () => {
    const outcome = await validateInThread(task());
    assert.equal(outcome.ok, true);
    if (!outcome.ok) return;
    assert.equal(outcome.loggedOut, false);
    const profile = profileFromData(outcome.profile);
    assert.equal(profile?.nameID, 'alice@example.com');
    assert.equal(profile?.issuer, TEST_IDP_ISSUER);
    assert.match(profile?.getAssertionXml?.() ?? '', /<saml:Assertion/);
    assert.ok(profile?.getAssertion?.().Assertion !== undefined, 'the parsed assertion comes back');
  });

  it('refuses a response to any other request ID than the one taken, and one when nothing was taken', async () => {
    for (const takenRequest of [{ id: '_other', value: 'x' }, undefined]) {
      const outcome = await validateInThread(task({ takenRequest }));
      assert.deepEqual(outcome, { ok: false, message: 'InResponseTo is not valid' });
    }
  });

  it('refuses a response signed by an unknown key with node-saml message', async () => {
    const forged = aSamlResponse({
      destination: ACS,
      recipient: ACS,
      inResponseTo: REQUEST_ID,
      key: fixtureKeys.attacker,
    });
    const outcome = await validateInThread(task({}, forged));
    assert.equal(outcome.ok, false);
    assert.match(outcome.ok ? '' : outcome.message, /signature/i);
  });

  it('keeps one node-saml per key: a changed certificate under a new key is used', async () => {
    const next = task({ key: 'rolled', options: { ...task().options, idpCert: fixtureKeys.idpNext.certificate } });
    const outcome = await validateInThread(next);
    assert.equal(outcome.ok, false, 'the old IdP key does not verify against the new certificate');
    assert.equal((await validateInThread(task())).ok, true, 'the first key still has its own instance');
  });
});

describe('what crosses between the threads', () => {
  it('a profile comes back with its fields and functions', () => {
    const profile = {
      issuer: 'i',
      nameID: 'n',
      nameIDFormat: 'f',
      attributes: { a: ['1', '2'] },
      getAssertion: () => ({ Assertion: { x: 1 } }),
      getAssertionXml: () => '<a/>',
      getSamlResponseXml: () => '<r/>',
    } as unknown as Profile;
    const data = structuredClone(profileToData(profile));
    const back = profileFromData(data);
    assert.equal(back?.nameID, 'n');
    assert.deepEqual(back?.attributes, { a: ['1', '2'] });
    assert.deepEqual(back?.getAssertion?.(), { Assertion: { x: 1 } });
    assert.equal(back?.getAssertionXml?.(), '<a/>');
    assert.equal(back?.getSamlResponseXml?.(), '<r/>');
    assert.equal(profileFromData(profileToData(null)), null);
  });

  it("node-saml's IdP status error stays a SamlStatusError; other errors keep their message", () => {
    const status = errorFromOutcome(
      structuredClone(errorToOutcome(new SamlStatusError('Responder', '<Status/>'))) as never,
    );
    assert.ok(status instanceof SamlStatusError);
    assert.equal(status.message, 'Responder');
    assert.equal(status.xmlStatus, '<Status/>');
    const plain = errorFromOutcome(errorToOutcome(new Error('Invalid signature')) as never);
    assert.ok(!(plain instanceof SamlStatusError));
    assert.equal(plain.message, 'Invalid signature');
  });
});
