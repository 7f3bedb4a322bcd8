// Responses shaped like those of Okta, Entra ID, ADFS and Google Workspace (prefixes, default
// namespaces, element order, attribute encodings, which element is signed; see
// test/support/idp-shape-fixtures.ts) must all give the same FederatedIdentity through
// ServiceProvider.validateResponse. node-saml checks times against the real clock, so responses are
// stamped with it (SP-initiated: each case first asks the SP for an AuthnRequest ID). The cases are in
// support-idp-shape-cases.ts; their refusals once altered or under-signed, in idp-shapes-refusals.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { buildIdpShapeXml, NAMEID_FORMAT, SHAPES } from '../../support/idp-shape-fixtures.ts';
import { cases, ONE_ROLE_ROLE_FIRST, withCaseResponse } from './support-idp-shape-cases.ts';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';

/** Local names of the parents of every ds:Signature, in document order. */
function signedElements(xml: string): string[] {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  return Array.from(doc.getElementsByTagNameNS(DSIG, 'Signature')).map(
    (s) => (s.parentNode as Element | null)?.localName ?? '',
  );
}

describe('ServiceProvider.validateResponse with the response shapes of common IdPs', () => {
  for (const c of cases) {
    it(`accepts ${c.name}`, async () => {
      await withCaseResponse(c, async (h, xml) => {
        assert.deepEqual(signedElements(xml), c.signed, 'the fixture signs what the case says');

        const { identity } = await h.validateXml(xml);

        const { roles, roleSessionName, dbUser, dbGroups } = identity;
        assert.deepEqual({ roles, roleSessionName, dbUser, dbGroups }, c.expected);
        assert.equal(identity.nameId, c.nameId);
        assert.equal(identity.nameIdFormat, c.nameIdFormat);
        assert.equal(identity.issuer, SHAPES[c.shape].issuer);
        assert.deepEqual(identity.ignored, [], 'nothing was dropped (other IdP claims are not role values)');
      });
    });
  }

  it('carries the exc-c14n InclusiveNamespaces PrefixList that Okta sends (xml-crypto inclusiveNamespacesPrefixList)', () => {
    const xml = buildIdpShapeXml('okta', {
      acsUrl: 'https://sp.example/acs',
      nameId: 'alice',
      nameIdFormat: NAMEID_FORMAT.unspecified,
      attributes: ONE_ROLE_ROLE_FIRST,
    });
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const transforms = Array.from(doc.getElementsByTagNameNS(DSIG, 'Transform'));
    const excC14n = transforms.find((t) => t.getAttribute('Algorithm') === 'http://www.w3.org/2001/10/xml-exc-c14n#');
    const prefixList =
      excC14n === undefined
        ? []
        : Array.from(excC14n.getElementsByTagNameNS('http://www.w3.org/2001/10/xml-exc-c14n#', 'InclusiveNamespaces'));
    assert.deepEqual(
      prefixList.map((e) => e.getAttribute('PrefixList')),
      ['xs'],
    );
  });
});
