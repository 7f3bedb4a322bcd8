// Responses the IdP really signed that a strict SP still refuses for what they contain (issue 8), end
// to end through the ACS: an empty NameID, and XInclude anywhere (encrypted assertions included). Each
// refusal has its code, reaches no STS call, starts no session and is audited.
import { describe, afterEach } from 'node:test';
import { encryptAssertionInResponse } from '../support/encrypt-assertion.ts';
import { fixtureKeys } from '../support/sign-response.ts';
import { closeHarness, DECRYPTING, mustChange, runCases, withBeforeSigning } from './support-acs-strict.ts';

afterEach(closeHarness);

describe('POST /saml/acs/:idp refuses an empty NameID', () => {
  runCases([
    { name: 'refuses an empty NameID', response: () => ({ nameId: '' }), expect: 'SAML_NAMEID_EMPTY' },
    { name: 'refuses a NameID of spaces', response: () => ({ nameId: '   ' }), expect: 'SAML_NAMEID_EMPTY' },
    {
      name: 'refuses a NameID of tabs, line breaks and a no-break space',
      response: () => ({ nameId: '\t\n\u00a0 ' }),
      expect: 'SAML_NAMEID_EMPTY',
    },
    {
      name: 'refuses an empty NameID without a Format attribute',
      response: () => ({
        nameId: '',
        beforeSigning: (xml) => mustChange(xml, xml.replace(/<saml:NameID [^>]*>/, '<saml:NameID>')),
      }),
      expect: 'SAML_NAMEID_EMPTY',
    },
  ]);
});

const XI = 'http://www.w3.org/2001/XInclude';
const INCLUDE = `<xi:include xmlns:xi="${XI}" href="file:///etc/passwd" parse="text"/>`;
/** An attribute whose value is an include, inside the assertion the IdP signs. */
const includeInAttribute = (include: string) => (xml: string) =>
  xml.replace(
    '</saml:AttributeStatement>',
    `<saml:Attribute Name="note"><saml:AttributeValue>${include}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>`,
  );
const beforeStatus = (fragment: string) => (xml: string) =>
  mustChange(xml, xml.replace('<samlp:Status>', `${fragment}<samlp:Status>`));

describe('POST /saml/acs/:idp refuses XInclude anywhere', () => {
  const xinclude = { expect: 'SAML_XINCLUDE', status: 400 } as const;
  runCases([
    { name: 'refuses xi:include in the unsigned part of the Response', then: beforeStatus(INCLUDE), ...xinclude },
    {
      name: 'refuses xi:include inside the signed assertion',
      response: withBeforeSigning(includeInAttribute(INCLUDE)),
      ...xinclude,
    },
    {
      name: 'refuses an include in the XInclude default namespace',
      then: beforeStatus(`<include xmlns="${XI}" href="https://evil.example/x"/>`),
      ...xinclude,
    },
    {
      name: 'refuses an xi:fallback alone (any element of the namespace)',
      then: beforeStatus(`<xi:fallback xmlns:xi="${XI}"/>`),
      ...xinclude,
    },
    {
      name: 'refuses xi:include in the 2003 draft namespace',
      then: beforeStatus('<xi:include xmlns:xi="http://www.w3.org/2003/XInclude" href="file:///etc/passwd"/>'),
      ...xinclude,
    },
    {
      name: 'refuses xi:include inside an encrypted assertion',
      harness: DECRYPTING,
      response: withBeforeSigning(includeInAttribute(INCLUDE)),
      then: (xml) => encryptAssertionInResponse(xml, { certificate: fixtureKeys.sp.certificate }),
      ...xinclude,
    },
    {
      name: 'accepts an encrypted assertion without XInclude',
      harness: DECRYPTING,
      then: (xml) => encryptAssertionInResponse(xml, { certificate: fixtureKeys.sp.certificate }),
      expect: 'accepted',
    },
  ]);
});
