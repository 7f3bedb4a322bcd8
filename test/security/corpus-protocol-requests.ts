// Protocol attacks on what a response answers and carries: an InResponseTo this service never
// sent, already answered or meant for another connection, unsolicited responses, more than one
// assertion, and a Status other than Success.
import { encryptAssertionInResponse } from '../support/encrypt-assertion.ts';
import { fixtureKeys, type SamlResponseOverrides } from '../support/sign-response.ts';
import { EVIL_IDENTITY, type CaseContext, type SecurityCase } from './attack-runner.ts';
import { ATTACKER_IDP_ID } from './security-harness.ts';
import { assertionOf, parse, serialize, toBase64 } from './attack-xml.ts';
import { mustChange } from './attack-cases.ts';
import { attack, signed, usedBy } from './support-protocol-cases.ts';

const IRT = ['SAML_IN_RESPONSE_TO_UNKNOWN'];

/** The victim starts one sign-in; `combine` builds a response answering it with a second, evil assertion. */
function twoAssertions(
  name: string,
  combine: (ctx: CaseContext, inResponseTo: string) => Promise<Document>,
): SecurityCase {
  return attack(name, ['SAML_MULTIPLE_ASSERTIONS'], async (ctx) => {
    const requestId = await ctx.apps.sp.startLogin(ctx.victim('sp'));
    return ctx.postXml('sp', serialize(await combine(ctx, requestId)));
  });
}

/** The assertion of a response for admin@evil.example, built as the test IdP would (signed unless told not to). */
async function evilAssertion(ctx: CaseContext, overrides: SamlResponseOverrides): Promise<Element> {
  return assertionOf(parse(await ctx.responseXml('sp', { ...overrides, nameId: EVIL_IDENTITY })));
}

function withAppended(doc: Document, assertion: Element): Document {
  doc.documentElement.appendChild(doc.importNode(assertion, true));
  return doc;
}

export const inResponseToCases: SecurityCase[] = [
  signed('InResponseTo this service never sent', IRT, { inResponseTo: '_0123456789abcdef0123456789abcdef01234567' }),
  attack('InResponseTo of a request already answered', IRT, async (ctx) => {
    const victim = ctx.victim('sp');
    const requestId = await ctx.apps.sp.startLogin(victim);
    await usedBy(ctx, 'sp', toBase64(await ctx.responseXml('sp', { inResponseTo: requestId })));
    return ctx.postXml('sp', await ctx.responseXml('sp', { inResponseTo: requestId }));
  }),
  attack('InResponseTo of a request sent to the partner connection', IRT, async (ctx) => {
    const requestId = await ctx.apps.sp.startLogin(ctx.victim('sp'), ATTACKER_IDP_ID);
    return ctx.postXml('sp', await ctx.responseXml('sp', { inResponseTo: requestId }));
  }),
  attack(
    'Response InResponseTo valid, bearer confirmation answers another request',
    ['SAML_IN_RESPONSE_TO_UNKNOWN', 'SAML_SUBJECT_CONFIRMATION_INVALID', 'SAML_INVALID'],
    async (ctx) => {
      const requestId = await ctx.apps.sp.startLogin(ctx.victim('sp'));
      const xml = await ctx.responseXml('sp', {
        inResponseTo: requestId,
        beforeSigning: (x) =>
          mustChange(x, x.replace(/(<saml:SubjectConfirmationData[^>]*InResponseTo=")[^"]+"/, '$1_other0123456789"')),
      });
      return ctx.postXml('sp', xml);
    },
  ),
  signed('unsolicited response where IdP-initiated login is off', ['SAML_UNSOLICITED'], { inResponseTo: undefined }),
  signed('InResponseTo="" where IdP-initiated login is off', ['SAML_UNSOLICITED', 'SAML_IN_RESPONSE_TO_UNKNOWN'], {
    inResponseTo: '',
  }),
  attack(
    'InResponseTo removed from the Response only (kept in the assertion)',
    ['SAML_UNSOLICITED', 'SAML_IN_RESPONSE_TO_UNKNOWN', 'SAML_INVALID'],
    async (ctx) => {
      const xml = await ctx.responseXml('sp');
      return ctx.postXml('sp', xml.replace(/(<samlp:Response[^>]*?) InResponseTo="[^"]+"/, '$1'));
    },
  ),
];

export const assertionCountCases: SecurityCase[] = [
  twoAssertions('two assertions, both signed by the IdP (alice and admin@evil)', async (ctx, inResponseTo) => {
    const doc = parse(await ctx.responseXml('sp', { inResponseTo }));
    return withAppended(doc, await evilAssertion(ctx, { inResponseTo }));
  }),
  twoAssertions('valid EncryptedAssertion plus an unsigned plaintext evil assertion', async (ctx, inResponseTo) => {
    const doc = parse(
      await encryptAssertionInResponse(await ctx.responseXml('sp', { inResponseTo }), {
        certificate: fixtureKeys.sp.certificate,
      }),
    );
    return withAppended(doc, await evilAssertion(ctx, { inResponseTo, signAssertion: false }));
  }),
  twoAssertions('valid plaintext assertion plus an attacker-signed EncryptedAssertion', async (ctx, inResponseTo) => {
    const doc = parse(await ctx.responseXml('sp', { inResponseTo }));
    const evilXml = await encryptAssertionInResponse(
      await ctx.responseXml('sp', { inResponseTo, nameId: EVIL_IDENTITY, key: fixtureKeys.attacker }),
      { certificate: fixtureKeys.sp.certificate },
    );
    const encrypted = parse(evilXml).getElementsByTagNameNS(
      'urn:oasis:names:tc:SAML:2.0:assertion',
      'EncryptedAssertion',
    )[0] as Element;
    doc.documentElement.insertBefore(doc.importNode(encrypted, true), assertionOf(doc));
    return doc;
  }),
];

export const statusCases: SecurityCase[] = [
  signed('Status Responder with a valid signed assertion included', ['SAML_IDP_ERROR'], {
    status: { code: 'Responder', subCode: 'AuthnFailed' },
    includeAssertion: true,
  }),
  signed('Status Requester without an assertion', ['SAML_IDP_ERROR'], { status: { code: 'Requester', message: 'no' } }),
  signed('Status look-alike urn:evil:Success with a valid assertion', ['SAML_IDP_ERROR'], {
    status: { code: 'urn:evil:Success' },
    includeAssertion: true,
  }),
  attack('Status element removed after signing', ['SAML_IDP_ERROR', 'SAML_MALFORMED'], async (ctx) =>
    ctx.postXml('sp', (await ctx.responseXml('sp')).replace(/<samlp:Status>[\s\S]*?<\/samlp:Status>/, '')),
  ),
];
