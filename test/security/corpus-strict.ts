// Responses the IdP really signed that a strict SP refuses (issue 8, items 1-4): stale or future
// IssueInstant and AuthnInstant with every window still open, an IdP session already ended, an
// empty NameID, and XInclude anywhere (unsigned part, signed assertion, encrypted assertion). The
// service passes the response byte for byte to STS, so it must refuse what it would not sign for.
import { encryptAssertionInResponse } from '../support/encrypt-assertion.ts';
import { fixtureKeys, type SamlResponseOverrides } from '../support/sign-response.ts';
import type { AppName, SecurityCase } from './attack-runner.ts';
import { attacksOf, mustChange } from './attack-cases.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const XI = 'http://www.w3.org/2001/XInclude';
const INCLUDE = `<xi:include xmlns:xi="${XI}" href="file:///etc/passwd" parse="text"/>`;

const attack = attacksOf('strict');

/**
 * A response the IdP signed with `overrides` (a function: times are taken when the case runs), optionally rewritten
 * after signing.
 */
function signed(
  name: string,
  codes: readonly string[],
  overrides: () => SamlResponseOverrides,
  options: { app?: AppName; then?: (xml: string) => string | Promise<string>; statuses?: readonly number[] } = {},
): SecurityCase {
  const app = options.app ?? 'sp';
  return attack(
    name,
    codes,
    async (ctx) => {
      const xml = await ctx.responseXml(app, overrides());
      return ctx.postXml(app, options.then === undefined ? xml : await options.then(xml));
    },
    options.statuses,
  );
}

const ago = (ms: number): Date => new Date(Date.now() - ms);
const ahead = (ms: number): Date => new Date(Date.now() + ms);
/** Issued `ms` ago, authenticated then, with every window still open: a hoarded response. */
const issuedAgo = (ms: number) => (): SamlResponseOverrides => ({
  now: ago(ms),
  authnInstant: ago(ms),
  notBefore: ago(ms + MINUTE),
  notOnOrAfter: ahead(5 * MINUTE),
  sessionNotOnOrAfter: ahead(8 * HOUR),
});
const fresh = (): SamlResponseOverrides => ({});
const edited = (edit: (xml: string) => string) => (): SamlResponseOverrides => ({
  beforeSigning: (xml) => mustChange(xml, edit(xml)),
});
const responseIssued = (at: () => Date) => (xml: string) =>
  mustChange(xml, xml.replace(/(<samlp:Response\b[^>]*\sIssueInstant=")[^"]+"/, `$1${at().toISOString()}"`));
const beforeStatus = (fragment: string) => (xml: string) =>
  mustChange(xml, xml.replace('<samlp:Status>', `${fragment}<samlp:Status>`));
const inAttribute = (fragment: string) => (xml: string) =>
  xml.replace(
    '</saml:AttributeStatement>',
    `<saml:Attribute Name="note"><saml:AttributeValue>${fragment}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>`,
  );
const forSp = (xml: string) => encryptAssertionInResponse(xml, { certificate: fixtureKeys.sp.certificate });

const TOO_OLD = ['SAML_RESPONSE_TOO_OLD'];
const EARLY = ['SAML_NOT_YET_VALID'];
const SESSION_ENDED = ['SAML_SESSION_EXPIRED'];
const NAMEID = ['SAML_NAMEID_EMPTY'];
const XINCLUDE = { codes: ['SAML_XINCLUDE'], statuses: [400] } as const;

export const strictCases: SecurityCase[] = [
  signed('IssueInstant and AuthnInstant 48 h old, NotOnOrAfter still ahead', TOO_OLD, issuedAgo(48 * HOUR)),
  signed('IssueInstant 7 min old (beyond 300 s plus the skew), windows open', TOO_OLD, issuedAgo(7 * MINUTE)),
  signed(
    'IdP-initiated response issued 48 h ago, windows open',
    TOO_OLD,
    () => ({ ...issuedAgo(48 * HOUR)(), inResponseTo: undefined }),
    { app: 'idpInit' },
  ),
  signed(
    'Response-signed only (wantAssertionsSigned: false), issued 48 h ago',
    TOO_OLD,
    () => ({ ...issuedAgo(48 * HOUR)(), signResponse: true, signAssertion: false }),
    { app: 'respOnly' },
  ),
  signed('fresh assertion in a Response whose unsigned IssueInstant is 2 h old', TOO_OLD, fresh, {
    then: responseIssued(() => ago(2 * HOUR)),
  }),
  signed('assertion issued 2 h ago, unsigned Response IssueInstant rewritten to now', TOO_OLD, issuedAgo(2 * HOUR), {
    then: responseIssued(() => new Date()),
  }),
  signed('stale assertion encrypted for the SP', TOO_OLD, issuedAgo(48 * HOUR), { then: forSp }),
  signed('IssueInstant 10 min in the future, NotBefore in the past', EARLY, () => ({
    now: ahead(10 * MINUTE),
    authnInstant: new Date(),
    notBefore: ago(MINUTE),
    notOnOrAfter: ahead(15 * MINUTE),
  })),
  signed('AuthnInstant a day in the future', EARLY, () => ({ authnInstant: ahead(24 * HOUR) })),
  signed('SessionNotOnOrAfter an hour past', SESSION_ENDED, () => ({ sessionNotOnOrAfter: ago(HOUR) })),
  signed(
    'second AuthnStatement whose SessionNotOnOrAfter is past',
    SESSION_ENDED,
    edited((xml) =>
      xml.replace(
        /<saml:AuthnStatement\b[\s\S]*?<\/saml:AuthnStatement>/,
        (s) => `${s}${s.replace(/SessionNotOnOrAfter="[^"]+"/, `SessionNotOnOrAfter="${ago(HOUR).toISOString()}"`)}`,
      ),
    ),
  ),
  signed(
    'IdP-initiated response whose SessionNotOnOrAfter is past',
    SESSION_ENDED,
    () => ({ sessionNotOnOrAfter: ago(HOUR), inResponseTo: undefined }),
    { app: 'idpInit' },
  ),
  signed('empty NameID', NAMEID, () => ({ nameId: '' })),
  signed('NameID of spaces', NAMEID, () => ({ nameId: '    ' })),
  signed('NameID of tabs, line breaks and no-break spaces', NAMEID, () => ({ nameId: '\t\r\n\u00a0\u00a0' })),
  signed('empty NameID without a Format attribute', NAMEID, () => ({
    nameId: '',
    beforeSigning: (xml) => mustChange(xml, xml.replace(/<saml:NameID [^>]*>/, '<saml:NameID>')),
  })),
  signed('xi:include before Status (unsigned part)', XINCLUDE.codes, fresh, {
    then: beforeStatus(INCLUDE),
    statuses: XINCLUDE.statuses,
  }),
  signed('xi:include in an attribute value of the signed assertion', XINCLUDE.codes, edited(inAttribute(INCLUDE)), {
    statuses: XINCLUDE.statuses,
  }),
  signed(
    "xi:include as the signed NameID's content",
    XINCLUDE.codes,
    edited((xml) => xml.replace('>alice@example.com</saml:NameID>', `>${INCLUDE}</saml:NameID>`)),
    { statuses: XINCLUDE.statuses },
  ),
  signed('xi:include inside ds:Signature (KeyInfo, outside what is signed)', XINCLUDE.codes, fresh, {
    then: (xml) => mustChange(xml, xml.replace('<ds:KeyInfo>', `<ds:KeyInfo>${INCLUDE}`)),
    statuses: XINCLUDE.statuses,
  }),
  signed('include element in the XInclude default namespace', XINCLUDE.codes, fresh, {
    then: beforeStatus(`<include xmlns="${XI}" href="https://evil.example/x"/>`),
    statuses: XINCLUDE.statuses,
  }),
  signed('xi:include in the 2003 draft namespace', XINCLUDE.codes, fresh, {
    then: beforeStatus('<xi:include xmlns:xi="http://www.w3.org/2003/XInclude" href="file:///etc/passwd"/>'),
    statuses: XINCLUDE.statuses,
  }),
  signed('xi:include inside an assertion encrypted for the SP', XINCLUDE.codes, edited(inAttribute(INCLUDE)), {
    then: forSp,
    statuses: XINCLUDE.statuses,
  }),
];
