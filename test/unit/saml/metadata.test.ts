// IdP metadata parsing: entityID, the SSO URL and binding (Redirect preferred), every signing
// certificate, and refusal of what cannot be used. Metadata is built here from the fixture certs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BINDINGS, MetadataError, parseIdpMetadata } from '../../../src/saml/metadata.ts';
import { thrownBy } from '../../support/unit-errors.ts';

const certsDir = new URL('../../fixtures/certs/', import.meta.url);
const idpPem = readFileSync(new URL('idp.crt', certsDir), 'utf8');
const nextPem = readFileSync(new URL('idp-next.crt', certsDir), 'utf8');
const der = (pem: string): string => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

const ENTITY_ID = 'https://idp.test.example/metadata';
const REDIRECT_URL = 'https://idp.test.example/sso/redirect';
const POST_URL = 'https://idp.test.example/sso/post';
const ARTIFACT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact';

interface KeySpec {
  use?: 'signing' | 'encryption';
  cert: string;
}

interface MetadataSpec {
  entityId?: string | null;
  keys?: KeySpec[];
  sso?: Array<[binding: string, location: string]>;
}

function keyDescriptor({ use, cert }: KeySpec): string {
  return (
    `<md:KeyDescriptor${use === undefined ? '' : ` use="${use}"`}>` +
    `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>\n${cert}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    `</md:KeyDescriptor>`
  );
}

function entityDescriptor(spec: MetadataSpec = {}, xmlns = ' xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'): string {
  const entityId = spec.entityId === undefined ? ENTITY_ID : spec.entityId;
  const keys = spec.keys ?? [{ use: 'signing', cert: der(idpPem) }];
  const sso = spec.sso ?? [[BINDINGS.redirect, REDIRECT_URL]];
  return (
    `<md:EntityDescriptor${xmlns}${entityId === null ? '' : ` entityID="${entityId}"`}>` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    keys.map(keyDescriptor).join('') +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>` +
    sso.map(([binding, location]) => `<md:SingleSignOnService Binding="${binding}" Location="${location}"/>`).join('') +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

function metadata(spec: MetadataSpec = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${entityDescriptor(spec)}`;
}

const SP_ENTITY =
  '<md:EntityDescriptor entityID="https://sp.example/metadata"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
  '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example/acs" index="0"/>' +
  '</md:SPSSODescriptor></md:EntityDescriptor>';

describe('parseIdpMetadata', () => {
  it('reads entityID, the Redirect SSO URL and the signing certificate', () => {
    const parsed = parseIdpMetadata(metadata());
    assert.equal(parsed.entityId, ENTITY_ID);
    assert.equal(parsed.ssoUrl, REDIRECT_URL);
    assert.equal(parsed.ssoBinding, BINDINGS.redirect);
    assert.deepEqual(parsed.signingCerts.map(fingerprint), [fingerprint(idpPem)]);
    assert.match(
      parsed.signingCerts[0] ?? '',
      /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n$/,
    );
  });

  /** SingleSignOnService entries: [Binding, Location]. */
  const POST: [string, string] = [BINDINGS.post, POST_URL];
  const REDIRECT: [string, string] = [BINDINGS.redirect, REDIRECT_URL];
  const ssoCases: Array<{ name: string; sso: Array<[string, string]>; url: string; binding: string }> = [
    {
      name: 'prefers Redirect over POST listed first',
      sso: [POST, REDIRECT],
      url: REDIRECT_URL,
      binding: BINDINGS.redirect,
    },
    {
      name: 'prefers Redirect over POST listed second',
      sso: [REDIRECT, POST],
      url: REDIRECT_URL,
      binding: BINDINGS.redirect,
    },
    { name: 'accepts POST only', sso: [POST], url: POST_URL, binding: BINDINGS.post },
    {
      name: 'falls back to POST when the Redirect entry has no Location',
      sso: [[BINDINGS.redirect, ''], POST],
      url: POST_URL,
      binding: BINDINGS.post,
    },
    {
      name: 'skips an Artifact binding for POST',
      sso: [[ARTIFACT, 'https://idp.test.example/sso/artifact'], POST],
      url: POST_URL,
      binding: BINDINGS.post,
    },
  ];
  for (const c of ssoCases) {
    it(c.name, () => {
      const parsed = parseIdpMetadata(metadata({ sso: c.sso }));
      assert.equal(parsed.ssoUrl, c.url);
      assert.equal(parsed.ssoBinding, c.binding);
    });
  }

  const certCases: Array<{ name: string; keys: KeySpec[]; expected: string[] }> = [
    {
      name: 'returns both signing certificates during a rollover',
      keys: [
        { use: 'signing', cert: der(idpPem) },
        { use: 'signing', cert: der(nextPem) },
      ],
      expected: [idpPem, nextPem],
    },
    { name: 'counts a KeyDescriptor without use as signing', keys: [{ cert: der(nextPem) }], expected: [nextPem] },
    {
      name: 'leaves out encryption-only certificates',
      keys: [
        { use: 'encryption', cert: der(nextPem) },
        { use: 'signing', cert: der(idpPem) },
      ],
      expected: [idpPem],
    },
    {
      name: 'returns a certificate listed twice once',
      keys: [{ use: 'signing', cert: der(idpPem) }, { cert: der(idpPem) }],
      expected: [idpPem],
    },
  ];
  for (const c of certCases) {
    it(c.name, () => {
      assert.deepEqual(
        parseIdpMetadata(metadata({ keys: c.keys })).signingCerts.map(fingerprint),
        c.expected.map(fingerprint),
      );
    });
  }

  it('finds the IdP inside an EntitiesDescriptor, after an SP entity', () => {
    const xml =
      '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" Name="federation">' +
      SP_ENTITY +
      entityDescriptor({}, '') +
      '</md:EntitiesDescriptor>';
    const parsed = parseIdpMetadata(xml);
    assert.equal(parsed.entityId, ENTITY_ID);
    assert.equal(parsed.ssoUrl, REDIRECT_URL);
  });

  it('tolerates a byte order mark', () => {
    assert.equal(parseIdpMetadata(`\uFEFF${metadata()}`).entityId, ENTITY_ID);
  });

  const refused: Array<{ name: string; xml: () => string; reason: RegExp }> = [
    {
      name: 'encryption-only certificates',
      xml: () => metadata({ keys: [{ use: 'encryption', cert: der(idpPem) }] }),
      reason: /no signing certificate/,
    },
    { name: 'no KeyDescriptor', xml: () => metadata({ keys: [] }), reason: /no signing certificate/ },
    { name: 'no entityID', xml: () => metadata({ entityId: null }), reason: /entityID/ },
    { name: 'an empty entityID', xml: () => metadata({ entityId: '' }), reason: /entityID/ },
    { name: 'no SingleSignOnService', xml: () => metadata({ sso: [] }), reason: /SingleSignOnService/ },
    {
      name: 'only an Artifact SingleSignOnService',
      xml: () => metadata({ sso: [[ARTIFACT, 'https://idp.test.example/a']] }),
      reason: /SingleSignOnService/,
    },
    {
      name: 'no IDPSSODescriptor',
      xml: () =>
        SP_ENTITY.replace(
          '<md:EntityDescriptor',
          '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"',
        ),
      reason: /IDPSSODescriptor/,
    },
    {
      name: 'a DOCTYPE',
      xml: () => `<?xml version="1.0"?>\n<!DOCTYPE md:EntityDescriptor [<!ENTITY e "x">]>\n${entityDescriptor()}`,
      reason: /DOCTYPE/,
    },
    {
      name: 'a certificate that is not base64',
      xml: () => metadata({ keys: [{ use: 'signing', cert: 'not*base64!' }] }),
      reason: /not base64/,
    },
    {
      name: 'base64 that is not a certificate',
      xml: () => metadata({ keys: [{ use: 'signing', cert: Buffer.from('hello, world').toString('base64') }] }),
      reason: /not a valid X\.509 certificate/,
    },
    {
      name: 'a good certificate next to a bad one',
      xml: () =>
        metadata({
          keys: [
            { use: 'signing', cert: der(idpPem) },
            { use: 'signing', cert: 'AAAA' },
          ],
        }),
      reason: /not a valid X\.509 certificate/,
    },
    { name: 'text that is not XML', xml: () => 'entityID=https://idp.test.example', reason: /well-formed/ },
    { name: 'unclosed XML', xml: () => metadata().slice(0, -30), reason: /well-formed/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      const err = thrownBy(() => parseIdpMetadata(c.xml()));
      assert.ok(err instanceof MetadataError, String(err));
      assert.match(err.message, c.reason);
    });
  }
});
