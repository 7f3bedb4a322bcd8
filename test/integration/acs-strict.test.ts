// Responses the IdP really signed that a strict SP still refuses (issue 8, items 1-4), end to end
// through the ACS. Here: stale or future IssueInstants and AuthnInstants (maxResponseAgeSeconds,
// maxAuthnAgeSeconds). Each refusal has its code, reaches no STS call, starts no session and is
// audited. An ended IdP session is in acs-strict-session.test.ts; an empty NameID and XInclude in
// acs-strict-content.test.ts.
import { describe, afterEach } from 'node:test';
import {
  ago,
  ahead,
  closeHarness,
  HOUR,
  issuedAgo,
  MINUTE,
  mustChange,
  responseIssued,
  runCases,
} from './support-acs-strict.ts';

afterEach(closeHarness);

describe('POST /saml/acs/:idp refuses stale and future responses (maxResponseAgeSeconds)', () => {
  runCases([
    {
      name: 'refuses IssueInstant and AuthnInstant 48 hours old with NotOnOrAfter still ahead',
      response: issuedAgo(48 * HOUR),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    {
      name: 'refuses a response issued 7 minutes ago (300 s plus 60 s skew by default)',
      response: issuedAgo(7 * MINUTE),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    { name: 'accepts a response issued 4 minutes ago', response: issuedAgo(4 * MINUTE), expect: 'accepted' },
    {
      name: 'refuses a fresh assertion in a Response whose own IssueInstant is 2 hours old',
      then: responseIssued(() => ago(2 * HOUR)),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    {
      name: "reads the assertion's IssueInstant from the signed assertion, not the Response",
      response: issuedAgo(2 * HOUR),
      then: responseIssued(() => new Date()),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    {
      name: 'refuses an IssueInstant 5 minutes in the future even with NotBefore in the past',
      response: () => ({
        now: ahead(5 * MINUTE),
        authnInstant: new Date(),
        notBefore: ago(MINUTE),
        notOnOrAfter: ahead(10 * MINUTE),
      }),
      expect: 'SAML_NOT_YET_VALID',
    },
    {
      name: 'refuses a Response IssueInstant 5 minutes in the future',
      then: responseIssued(() => ahead(5 * MINUTE)),
      expect: 'SAML_NOT_YET_VALID',
    },
    {
      name: 'refuses an AuthnInstant 10 minutes in the future',
      response: () => ({ authnInstant: ahead(10 * MINUTE) }),
      expect: 'SAML_NOT_YET_VALID',
    },
    {
      name: 'refuses a Response without IssueInstant',
      then: (xml) => mustChange(xml, xml.replace(/(<samlp:Response\b[^>]*?)\sIssueInstant="[^"]+"/, '$1')),
      expect: 'SAML_MALFORMED',
      status: 400,
    },
    {
      name: 'sp.maxResponseAgeSeconds: 60 refuses a response 3 minutes old',
      harness: { sp: { maxResponseAgeSeconds: 60 } },
      response: issuedAgo(3 * MINUTE),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    {
      name: 'idps[].maxResponseAgeSeconds: 60 refuses a response 3 minutes old',
      harness: { idp: { maxResponseAgeSeconds: 60 } },
      response: issuedAgo(3 * MINUTE),
      expect: 'SAML_RESPONSE_TOO_OLD',
    },
    {
      name: 'idps[].maxResponseAgeSeconds: 240 overrides sp.maxResponseAgeSeconds: 60',
      harness: { sp: { maxResponseAgeSeconds: 60 }, idp: { maxResponseAgeSeconds: 240 } },
      response: issuedAgo(3 * MINUTE),
      expect: 'accepted',
    },
    {
      name: 'accepts a fresh response for an authentication 48 hours old by default (the IdP session decides)',
      response: () => ({ authnInstant: ago(48 * HOUR) }),
      expect: 'accepted',
    },
    {
      name: 'idps[].maxAuthnAgeSeconds: 3600 refuses an authentication 2 hours old',
      harness: { idp: { maxAuthnAgeSeconds: 3600 } },
      response: () => ({ authnInstant: ago(2 * HOUR) }),
      expect: 'SAML_AUTHN_TOO_OLD',
    },
    {
      name: 'sp.maxAuthnAgeSeconds: 3600 refuses an authentication 2 hours old',
      harness: { sp: { maxAuthnAgeSeconds: 3600 } },
      response: () => ({ authnInstant: ago(2 * HOUR) }),
      expect: 'SAML_AUTHN_TOO_OLD',
    },
  ]);
});
