// Canonicalization and parser attacks that must be refused: comments where a truncating reading would
// match (Audience, Issuer), DOCTYPE (XXE, entity expansion), namespace games, non-allowed transforms,
// SHA-1 and digests of other nodes. The comment, CDATA and character-reference probes, which may be
// accepted with the full text, are in corpus-parser-probes.ts.
import { encryptAssertionInResponse } from '../support/encrypt-assertion.ts';
import { fixtureKeys, TEST_IDP_ISSUER, type SamlResponseOverrides } from '../support/sign-response.ts';
import { EVIL_IDENTITY, type CaseContext, type SecurityCase } from './attack-runner.ts';
import {
  ALG,
  assertionOf,
  parse,
  serialize,
  setTransforms,
  signatureOf,
  signAssertionWith,
  signResponseWith,
} from './attack-xml.ts';
import { attacksOf, mustChange } from './attack-cases.ts';

const SIGNATURE_CODES = ['SAML_SIGNATURE_INVALID'];
const MALFORMED = ['SAML_MALFORMED'];

const attack = attacksOf('parser', 'any 4xx');

/** A valid signed response whose XML is then rewritten by `rewrite`. */
function rewritten(
  name: string,
  codes: readonly string[],
  rewrite: (xml: string) => string,
  overrides: SamlResponseOverrides = {},
  statuses?: readonly number[],
): SecurityCase {
  return attack(
    name,
    codes,
    async (ctx) => {
      const xml = await ctx.responseXml('sp', overrides);
      return ctx.postXml('sp', mustChange(xml, rewrite(xml)));
    },
    statuses,
  );
}

function withDoctype(doctype: string, nameIdText?: string): (xml: string) => string {
  return (xml) => {
    const withNameId = nameIdText === undefined ? xml : xml.replace('>alice@example.com<', `>${nameIdText}<`);
    return `<?xml version="1.0" encoding="UTF-8"?>${doctype}${withNameId}`;
  };
}

const LAUGHS = `<!DOCTYPE samlp:Response [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>`;

function unsignedThen(sign: (xml: string) => string): (ctx: CaseContext) => Promise<Response> {
  return async (ctx) => ctx.postXml('sp', sign(await ctx.responseXml('sp', { signAssertion: false })));
}

/** A comment the truncating reading would turn into an accepted value: only a refusal is right. */
function truncationAttacks(
  name: string,
  codes: readonly string[],
  overrides: SamlResponseOverrides,
  from: string,
  to: string,
): SecurityCase[] {
  const everywhere = (xml: string) => mustChange(xml, xml.split(`>${from}<`).join(`>${to}<`));
  return [
    rewritten(`${name} (inserted after signing)`, codes, everywhere, overrides),
    attack(`${name} (signed by the IdP)`, codes, async (ctx) =>
      ctx.postXml('sp', await ctx.responseXml('sp', { ...overrides, beforeSigning: everywhere })),
    ),
  ];
}

export const parserAttacks: SecurityCase[] = [
  ...truncationAttacks(
    'comment inside Audience urn:amazon:webservices<!---->.evil',
    ['SAML_AUDIENCE_MISMATCH'],
    { audiences: ['urn:amazon:webservices.evil'] },
    'urn:amazon:webservices.evil',
    'urn:amazon:webservices<!---->.evil',
  ),
  ...truncationAttacks(
    'comment inside both Issuers (truncation would match the IdP)',
    ['SAML_ISSUER_MISMATCH'],
    { issuer: `${TEST_IDP_ISSUER}.evil` },
    `${TEST_IDP_ISSUER}.evil`,
    `${TEST_IDP_ISSUER}<!---->.evil`,
  ),
  rewritten(
    'NameID re-declares the saml prefix to another namespace after signing',
    [...SIGNATURE_CODES, 'SAML_INVALID'],
    (xml) => xml.replace('<saml:NameID ', '<saml:NameID xmlns:saml="urn:evil:assertion" '),
  ),
  attack(
    'evil assertion in a look-alike namespace before the signed one',
    ['SAML_MULTIPLE_ASSERTIONS', ...SIGNATURE_CODES],
    async (ctx) => {
      const xml = await ctx.responseXml('sp');
      const evil = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion:evil" ID="_evil1" Version="2.0" IssueInstant="${new Date().toISOString()}"><saml:Subject><saml:NameID>${EVIL_IDENTITY}</saml:NameID></saml:Subject></saml:Assertion>`;
      return ctx.postXml('sp', xml.replace('<saml:Assertion ', `${evil}<saml:Assertion `));
    },
  ),
  rewritten(
    'Response element in the SAML 1.1 protocol namespace',
    MALFORMED,
    (xml) =>
      xml.replace(
        'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"',
        'xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol"',
      ),
    {},
    [400],
  ),
  rewritten(
    'DOCTYPE with an external entity (XXE file:///etc/passwd) in NameID',
    MALFORMED,
    withDoctype('<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;'),
    {},
    [400],
  ),
  rewritten(
    'DOCTYPE with a parameter entity and external DTD (XXE out of band)',
    MALFORMED,
    withDoctype('<!DOCTYPE samlp:Response [<!ENTITY % dtd SYSTEM "http://127.0.0.1:9/evil.dtd"> %dtd;]>'),
    {},
    [400],
  ),
  rewritten(
    'DOCTYPE with an internal entity spelling the NameID',
    MALFORMED,
    withDoctype(`<!DOCTYPE samlp:Response [<!ENTITY who "${EVIL_IDENTITY}">]>`, '&who;'),
    {},
    [400],
  ),
  rewritten('billion laughs (entity expansion) in NameID', MALFORMED, withDoctype(LAUGHS, '&lol9;'), {}, [400]),
  rewritten(
    'lower-case doctype after a comment',
    MALFORMED,
    (xml) => `<!-- hi --><!doctype samlp:Response [<!ENTITY x "y">]>${xml}`,
    {},
    [400],
  ),
  rewritten(
    'undeclared entity reference in NameID',
    MALFORMED,
    (xml) => xml.replace('>alice@example.com<', '>&evil;<'),
    {},
    [400],
  ),
  rewritten('XSLT transform added to the Reference (three transforms)', SIGNATURE_CODES, (xml) =>
    xml.replace(
      '</ds:Transforms>',
      `<ds:Transform Algorithm="${ALG.xslt}"><xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0"><xsl:template match="/"><xsl:copy-of select="document('file:///etc/passwd')"/></xsl:template></xsl:stylesheet></ds:Transform></ds:Transforms>`,
    ),
  ),
  rewritten('XSLT transform in place of exclusive c14n', SIGNATURE_CODES, (xml) =>
    setTransforms(xml, [ALG.enveloped, ALG.xslt]),
  ),
  rewritten('XPath filter transform in place of exclusive c14n', SIGNATURE_CODES, (xml) =>
    setTransforms(xml, [ALG.enveloped, ALG.xpathFilter]),
  ),
  rewritten('base64 transform only', SIGNATURE_CODES, (xml) => setTransforms(xml, [ALG.base64])),
  attack('RSA-SHA1 signature with a SHA-1 digest', ['SAML_ALGORITHM_NOT_ALLOWED'], async (ctx) =>
    ctx.postXml('sp', await ctx.responseXml('sp', { signatureAlgorithm: 'sha1' })),
  ),
  attack('SHA-1 signature inside an EncryptedAssertion', ['SAML_ALGORITHM_NOT_ALLOWED'], async (ctx) =>
    ctx.postXml(
      'sp',
      await encryptAssertionInResponse(await ctx.responseXml('sp', { signatureAlgorithm: 'sha1' }), {
        certificate: fixtureKeys.sp.certificate,
      }),
    ),
  ),
  attack(
    'RSA-SHA256 signature over a SHA-1 digest',
    ['SAML_ALGORITHM_NOT_ALLOWED'],
    unsignedThen((xml) => signAssertionWith(xml, { key: fixtureKeys.idp, digestAlgorithm: ALG.sha1 })),
  ),
  attack(
    'RSA-SHA1 signature over a SHA-256 digest',
    ['SAML_ALGORITHM_NOT_ALLOWED'],
    unsignedThen((xml) => signAssertionWith(xml, { key: fixtureKeys.idp, signatureAlgorithm: ALG.rsaSha1 })),
  ),
  attack('SHA-1 Response signature around a SHA-256 assertion signature', ['SAML_ALGORITHM_NOT_ALLOWED'], async (ctx) =>
    ctx.postXml(
      'sp',
      signResponseWith(await ctx.responseXml('sp'), {
        key: fixtureKeys.idp,
        signatureAlgorithm: ALG.rsaSha1,
        digestAlgorithm: ALG.sha1,
      }),
    ),
  ),
  attack(
    'signature transplanted from another valid assertion (digest of a different node)',
    SIGNATURE_CODES,
    async (ctx) => {
      const donor = parse(await ctx.responseXml('sp', { nameId: 'alice@example.com' }));
      const target = parse(await ctx.responseXml('sp', { nameId: EVIL_IDENTITY, signAssertion: false }));
      const donorAssertion = assertionOf(donor);
      const targetAssertion = assertionOf(target);
      targetAssertion.setAttribute('ID', donorAssertion.getAttribute('ID') ?? '');
      const signature = target.importNode(signatureOf(donorAssertion), true);
      targetAssertion.insertBefore(
        signature,
        targetAssertion.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Subject')[0] ?? null,
      );
      return ctx.postXml('sp', serialize(target));
    },
  ),
];
