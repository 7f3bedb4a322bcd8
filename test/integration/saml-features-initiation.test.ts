// When and by whom a login may start, through the real ServiceProvider in-process: clock skew between
// IdP and SP (node-saml checks times against the real clock, so the cases shift the IdP's timestamps
// relative to it), SP- and IdP-initiated alike, and IdP-initiated login (allowIdpInitiated).
import { describe } from 'node:test';
import type { SamlResponseOverrides } from '../support/sign-response.ts';
import { MINUTE, runCases, SECOND } from './support-saml-features.ts';

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
