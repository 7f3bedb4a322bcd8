// Protocol attacks on where and when a response is valid: Audience, Recipient, Destination and
// Issuer of another service or connection, and time windows expired, not yet open or malformed.
import type { SamlResponseOverrides } from '../support/sign-response.ts';
import type { CaseContext, SecurityCase } from './attack-runner.ts';
import { ATTACKER_IDP_ID } from './security-harness.ts';
import { attack, MINUTE, signed, signedAfter } from './support-protocol-cases.ts';

function relativeTimes(offsets: {
  now?: number;
  notBefore?: number;
  notOnOrAfter?: number;
  subjectNotOnOrAfter?: number;
}): () => SamlResponseOverrides {
  return () => {
    const t = Date.now();
    const at = (minutes: number | undefined) => (minutes === undefined ? undefined : new Date(t + minutes * MINUTE));
    return {
      now: at(offsets.now ?? 0),
      notBefore: at(offsets.notBefore),
      notOnOrAfter: at(offsets.notOnOrAfter),
      subjectNotOnOrAfter: at(offsets.subjectNotOnOrAfter),
    };
  };
}

const partnerAcs = (ctx: CaseContext) => ctx.apps.sp.acsUrl.replace(/\/[^/]+$/, `/${ATTACKER_IDP_ID}`);

export const addressingCases: SecurityCase[] = [
  signed('Audience of another service', ['SAML_AUDIENCE_MISMATCH'], { audiences: ['https://evil.example/sp'] }),
  signed('no AudienceRestriction at all', ['SAML_AUDIENCE_MISMATCH'], { audiences: [] }),
  signedAfter('a second AudienceRestriction naming only another service', ['SAML_AUDIENCE_MISMATCH'], (xml) =>
    xml.replace(
      '</saml:AudienceRestriction>',
      '</saml:AudienceRestriction><saml:AudienceRestriction><saml:Audience>https://evil.example/sp</saml:Audience></saml:AudienceRestriction>',
    ),
  ),
  signed('Audience look-alike urn:amazon:webservices:evil', ['SAML_AUDIENCE_MISMATCH'], {
    audiences: ['urn:amazon:webservices:evil'],
  }),
  attack('Recipient on another host', ['SAML_RECIPIENT_MISMATCH'], async (ctx) =>
    ctx.postXml('sp', await ctx.responseXml('sp', { recipient: 'https://evil.example/saml/acs/test' })),
  ),
  attack("Recipient of the partner connection's ACS", ['SAML_RECIPIENT_MISMATCH'], async (ctx) =>
    ctx.postXml('sp', await ctx.responseXml('sp', { recipient: partnerAcs(ctx) })),
  ),
  signedAfter('no Recipient on the bearer confirmation', ['SAML_RECIPIENT_MISMATCH'], (xml) =>
    xml.replace(/ Recipient="[^"]*"/, ''),
  ),
  attack('Recipient with a query string appended', ['SAML_RECIPIENT_MISMATCH'], async (ctx) =>
    ctx.postXml('sp', await ctx.responseXml('sp', { recipient: `${ctx.apps.sp.acsUrl}?next=/` })),
  ),
  signedAfter(
    'holder-of-key confirmation instead of bearer',
    ['SAML_RECIPIENT_MISMATCH', 'SAML_SUBJECT_CONFIRMATION_INVALID'],
    (xml) => xml.replace('urn:oasis:names:tc:SAML:2.0:cm:bearer', 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key'),
  ),
  attack('Destination on another host', ['SAML_DESTINATION_MISMATCH'], async (ctx) =>
    ctx.postXml(
      'sp',
      await ctx.responseXml('sp', { destination: 'https://evil.example/saml/acs/test', recipient: ctx.apps.sp.acsUrl }),
    ),
  ),
  attack('no Destination', ['SAML_DESTINATION_MISMATCH'], async (ctx) =>
    ctx.postXml('sp', await ctx.responseXml('sp', { destination: undefined, recipient: ctx.apps.sp.acsUrl })),
  ),
  attack("Destination of the partner connection's ACS", ['SAML_DESTINATION_MISMATCH'], async (ctx) =>
    ctx.postXml('sp', await ctx.responseXml('sp', { destination: partnerAcs(ctx), recipient: ctx.apps.sp.acsUrl })),
  ),
  attack('Destination with an upper-cased path', ['SAML_DESTINATION_MISMATCH'], async (ctx) =>
    ctx.postXml(
      'sp',
      await ctx.responseXml('sp', {
        destination: ctx.apps.sp.acsUrl.replace('/saml/acs/', '/SAML/ACS/'),
        recipient: ctx.apps.sp.acsUrl,
      }),
    ),
  ),
  signed('Issuer of another IdP (Response and assertion)', ['SAML_ISSUER_MISMATCH'], {
    issuer: 'https://evil.example/idp',
  }),
  attack('Response Issuer changed after signing (assertion Issuer right)', ['SAML_ISSUER_MISMATCH'], async (ctx) => {
    const xml = await ctx.responseXml('sp');
    return ctx.postXml(
      'sp',
      xml.replace(/<saml:Issuer>[^<]*<\/saml:Issuer>/, '<saml:Issuer>https://evil.example/idp</saml:Issuer>'),
    );
  }),
  signedAfter('assertion Issuer of another IdP (Response Issuer right)', ['SAML_ISSUER_MISMATCH'], (xml) => {
    const at = xml.indexOf('<saml:Assertion');
    return (
      xml.slice(0, at) +
      xml.slice(at).replace(/<saml:Issuer>[^<]*<\/saml:Issuer>/, '<saml:Issuer>https://evil.example/idp</saml:Issuer>')
    );
  }),
];

export const timeWindowCases: SecurityCase[] = [
  signed(
    'expired (issued 20 min ago, valid until 10 min ago)',
    ['SAML_EXPIRED'],
    relativeTimes({ now: -20, notBefore: -21, notOnOrAfter: -10 }),
  ),
  signed(
    'not yet valid (valid from 10 min on)',
    ['SAML_NOT_YET_VALID'],
    relativeTimes({ now: 10, notBefore: 10, notOnOrAfter: 30 }),
  ),
  signed(
    'bearer confirmation expired, Conditions still open',
    ['SAML_EXPIRED', 'SAML_SUBJECT_CONFIRMATION_INVALID'],
    relativeTimes({ notOnOrAfter: 5, subjectNotOnOrAfter: -10 }),
  ),
  signed(
    'Conditions expired, bearer confirmation still open',
    ['SAML_EXPIRED'],
    relativeTimes({ notOnOrAfter: -10, subjectNotOnOrAfter: 5 }),
  ),
  signed(
    'Conditions NotBefore 10 min ahead',
    ['SAML_NOT_YET_VALID'],
    relativeTimes({ notBefore: 10, notOnOrAfter: 30 }),
  ),
  // node-saml fails to parse the missing time ("Error parsing NotOnOrAfter"), which maps to the generic code.
  signedAfter(
    'bearer confirmation without NotOnOrAfter',
    ['SAML_SUBJECT_CONFIRMATION_INVALID', 'SAML_EXPIRED', 'SAML_INVALID'],
    (xml) => xml.replace(/(<saml:SubjectConfirmationData[^>]*?) NotOnOrAfter="[^"]*"/, '$1'),
  ),
  signedAfter(
    'bearer confirmation NotOnOrAfter="never"',
    ['SAML_SUBJECT_CONFIRMATION_INVALID', 'SAML_EXPIRED', 'SAML_INVALID'],
    (xml) => xml.replace(/(<saml:SubjectConfirmationData[^>]*?) NotOnOrAfter="[^"]*"/, '$1 NotOnOrAfter="never"'),
  ),
  signedAfter(
    'Conditions NotOnOrAfter far in the future, bearer window expired',
    ['SAML_EXPIRED', 'SAML_SUBJECT_CONFIRMATION_INVALID'],
    (xml) =>
      xml
        .replace(
          /(<saml:SubjectConfirmationData[^>]*?) NotOnOrAfter="[^"]*"/,
          `$1 NotOnOrAfter="${new Date(Date.now() - 10 * MINUTE).toISOString()}"`,
        )
        .replace(/(<saml:Conditions[^>]*?) NotOnOrAfter="[^"]*"/, '$1 NotOnOrAfter="2999-01-01T00:00:00Z"'),
  ),
];
