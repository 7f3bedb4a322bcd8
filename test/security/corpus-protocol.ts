// Protocol attacks: replay (same instance, and a second instance sharing the store), wrong
// Audience / Recipient / Destination / Issuer, time windows, forged or reused InResponseTo,
// unsolicited responses, several assertions, Status, size, encoding garbage and deflate bombs.
import { constants, deflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { encryptAssertionInResponse } from '../support/encrypt-assertion.ts';
import { fixtureKeys, type SamlResponseOverrides } from '../support/sign-response.ts';
import { EVIL_IDENTITY, type AppName, type CaseContext, type SecurityCase } from './attack-runner.ts';
import { ATTACKER_IDP_ID, IDP_ID } from './security-harness.ts';
import { assertionOf, parse, serialize, toBase64 } from './attack-xml.ts';
import { measured } from './resource-probe.ts';

const MINUTE = 60_000;

function attack(
  name: string,
  codes: readonly string[],
  run: (ctx: CaseContext) => Promise<Response>,
  statuses: readonly number[] = [401],
): SecurityCase {
  return { name, kind: 'attack', class: 'protocol', codes, statuses, run };
}

/** A valid signed response with `overrides`, posted by the attacker. */
function signed(
  name: string,
  codes: readonly string[],
  overrides: SamlResponseOverrides | (() => SamlResponseOverrides),
  app: AppName = 'sp',
  statuses?: readonly number[],
): SecurityCase {
  return attack(
    name,
    codes,
    async (ctx) =>
      ctx.postXml(app, await ctx.responseXml(app, typeof overrides === 'function' ? overrides() : overrides)),
    statuses,
  );
}

/** A valid response whose unsigned XML the IdP would have signed after `edit`. */
function signedAfter(
  name: string,
  codes: readonly string[],
  edit: (xml: string) => string,
  extra: SamlResponseOverrides = {},
): SecurityCase {
  return signed(name, codes, { ...extra, beforeSigning: (xml) => mustChange(xml, edit(xml)) });
}

function mustChange(before: string, after: string): string {
  if (after === before) throw new Error('the edit changed nothing');
  return after;
}

/** The legitimate user signs in with `xml` first; what follows is the attack. */
async function usedBy(ctx: CaseContext, app: AppName, samlResponse: string): Promise<void> {
  const res = await ctx.post(app, ctx.victim(app), samlResponse);
  await res.body?.cancel();
  if (res.status !== 303) throw new Error(`setup: the legitimate first use answered ${res.status}`);
  ctx.beginAttack();
}

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

function postRaw(
  name: string,
  codes: readonly string[],
  statuses: readonly number[],
  body: (ctx: CaseContext) => Promise<string> | string,
): SecurityCase {
  return attack(
    name,
    codes,
    async (ctx) => ctx.attacker('sp').postForm(`/saml/acs/${IDP_ID}`, await body(ctx)),
    statuses,
  );
}

/**
 * Raw deflate of `chunk` repeated `times`: each chunk is compressed once into sync-flushed,
 * non-final blocks and the copies are concatenated, so a GB bomb is built without a GB buffer.
 */
export function deflateBomb(chunk: Buffer, times: number): Buffer {
  const unit = deflateRawSync(chunk, { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array.from({ length: times }, () => unit), Buffer.from([0x03, 0x00])]);
}

function sloBomb(
  name: string,
  deflated: () => Buffer,
  codes: readonly string[],
  statuses: readonly number[],
  binding: 'redirect' | 'post' = 'redirect',
): SecurityCase {
  return attack(
    name,
    codes,
    async (ctx) => {
      const encoded = deflated().toString('base64');
      ctx.note(`${Math.round(encoded.length / 1024)} KiB base64`);
      const client = ctx.attacker('sp');
      return measured(ctx, () =>
        binding === 'redirect'
          ? client.request('GET', `/saml/slo/${IDP_ID}?SAMLRequest=${encodeURIComponent(encoded)}`, {
              headers: { accept: 'application/json' },
            })
          : client.postForm(`/saml/slo/${IDP_ID}`, { SAMLRequest: encoded }),
      );
    },
    statuses,
  );
}

const partnerAcs = (ctx: CaseContext) => ctx.apps.sp.acsUrl.replace(/\/[^/]+$/, `/${ATTACKER_IDP_ID}`);
const IRT = ['SAML_IN_RESPONSE_TO_UNKNOWN'];
const MALFORMED = ['SAML_MALFORMED'];
const LOGOUT_BOMB_CODES = ['SAML_MALFORMED', 'SAML_RESPONSE_TOO_LARGE', 'SAML_LOGOUT_INVALID', '-'];
const LOGOUT_REQUEST_HEAD =
  '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_bomb" Version="2.0" IssueInstant="2020-01-01T00:00:00Z"><saml:NameID>';

/** A valid sign-in whose RelayState tries to leave the site: the 303 must stay on this origin. */
function relayState(value: string): SecurityCase {
  return {
    name: `RelayState ${JSON.stringify(value)} (open redirect after sign-in)`,
    kind: 'probe',
    class: 'protocol',
    judge: () => ({ ok: true, label: 'accepted, redirect stays on this site' }),
    async run(ctx) {
      const client = ctx.attacker('sp');
      const res = await client.postForm(`/saml/acs/${IDP_ID}`, {
        SAMLResponse: toBase64(await ctx.responseXml('sp')),
        RelayState: value,
      });
      const location = res.headers.get('location') ?? '';
      const base = new URL(ctx.apps.sp.baseUrl);
      ctx.note(`Location ${location}`);
      if (res.status === 303 && (new URL(location, base).origin !== base.origin || !/^\/(?![/\\])/.test(location)))
        ctx.note(`! open redirect to ${location}`);
      return res;
    },
  };
}

export const protocolCases: SecurityCase[] = [
  ...[
    '//evil.example/',
    '/\\evil.example/',
    'https://evil.example/',
    '/\t/evil.example',
    '/.//evil.example',
    'javascript:alert(1)',
    '/%0d%0aSet-Cookie:x=1',
  ].map(relayState),
  attack(
    'replay: SP-initiated response posted a second time',
    ['SAML_IN_RESPONSE_TO_UNKNOWN', 'SAML_REPLAYED'],
    async (ctx) => {
      const response = toBase64(await ctx.responseXml('sp'));
      await usedBy(ctx, 'sp', response);
      return ctx.post('sp', ctx.attacker('sp'), response);
    },
  ),
  attack('replay: IdP-initiated response posted twice on one instance', ['SAML_REPLAYED'], async (ctx) => {
    const response = toBase64(await ctx.responseXml('idpInit', { inResponseTo: undefined }));
    await usedBy(ctx, 'idpInit', response);
    return ctx.post('idpInit', ctx.attacker('idpInit'), response);
  }),
  attack('replay: used on instance 1, replayed on instance 2 (shared SQLite store)', ['SAML_REPLAYED'], async (ctx) => {
    const response = toBase64(await ctx.responseXml('idpInit', { inResponseTo: undefined }));
    await usedBy(ctx, 'idpInit', response);
    return ctx.post('peer', ctx.attacker('peer'), response);
  }),
  attack(
    'one response posted 6 times at once, 3 per instance (shared store)',
    ['SAML_REPLAYED', 'SAML_IN_RESPONSE_TO_UNKNOWN'],
    async (ctx) => {
      const response = toBase64(await ctx.responseXml('idpInit', { inResponseTo: undefined }));
      const apps: AppName[] = ['idpInit', 'peer', 'idpInit', 'peer', 'idpInit', 'peer'];
      const answers = await Promise.all(apps.map((app) => ctx.post(app, ctx.victim(app), response)));
      const accepted = answers.filter((r) => r.status === 303).length;
      ctx.note(`${accepted} of ${answers.length} concurrent posts signed in`);
      if (accepted !== 1) ctx.note(`! ${accepted} sign-ins from one response (expected exactly 1)`);
      ctx.beginAttack();
      const refusal = answers.find((r) => r.status !== 303);
      return refusal ?? answers[0] ?? new Response(null, { status: 599 });
    },
  ),
  attack('replay on instance 2 with a new (unsigned) Response ID', ['SAML_REPLAYED'], async (ctx) => {
    const xml = await ctx.responseXml('idpInit', { inResponseTo: undefined });
    await usedBy(ctx, 'idpInit', toBase64(xml));
    return ctx.postXml('peer', xml.replace(/(<samlp:Response[^>]*\sID=")[^"]+"/, '$1_fresh0123456789abcdef"'));
  }),
  attack(
    'replay re-addressed to a fresh AuthnRequest (Response InResponseTo rewritten)',
    ['SAML_IN_RESPONSE_TO_UNKNOWN', 'SAML_REPLAYED', 'SAML_SUBJECT_CONFIRMATION_INVALID', 'SAML_INVALID'],
    async (ctx) => {
      const xml = await ctx.responseXml('sp');
      await usedBy(ctx, 'sp', toBase64(xml));
      const attacker = ctx.attacker('sp');
      const fresh = await ctx.apps.sp.startLogin(attacker);
      return ctx.post(
        'sp',
        attacker,
        toBase64(xml.replace(/(<samlp:Response[^>]*\sInResponseTo=")[^"]+"/, `$1${fresh}"`)),
      );
    },
  ),
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
  attack('two assertions, both signed by the IdP (alice and admin@evil)', ['SAML_MULTIPLE_ASSERTIONS'], async (ctx) => {
    const requestId = await ctx.apps.sp.startLogin(ctx.victim('sp'));
    const doc = parse(await ctx.responseXml('sp', { inResponseTo: requestId }));
    const evil = assertionOf(parse(await ctx.responseXml('sp', { inResponseTo: requestId, nameId: EVIL_IDENTITY })));
    doc.documentElement.appendChild(doc.importNode(evil, true));
    return ctx.postXml('sp', serialize(doc));
  }),
  attack(
    'valid EncryptedAssertion plus an unsigned plaintext evil assertion',
    ['SAML_MULTIPLE_ASSERTIONS'],
    async (ctx) => {
      const requestId = await ctx.apps.sp.startLogin(ctx.victim('sp'));
      const doc = parse(
        await encryptAssertionInResponse(await ctx.responseXml('sp', { inResponseTo: requestId }), {
          certificate: fixtureKeys.sp.certificate,
        }),
      );
      const evil = assertionOf(
        parse(await ctx.responseXml('sp', { inResponseTo: requestId, nameId: EVIL_IDENTITY, signAssertion: false })),
      );
      doc.documentElement.appendChild(doc.importNode(evil, true));
      return ctx.postXml('sp', serialize(doc));
    },
  ),
  attack(
    'valid plaintext assertion plus an attacker-signed EncryptedAssertion',
    ['SAML_MULTIPLE_ASSERTIONS'],
    async (ctx) => {
      const requestId = await ctx.apps.sp.startLogin(ctx.victim('sp'));
      const doc = parse(await ctx.responseXml('sp', { inResponseTo: requestId }));
      const evilXml = await encryptAssertionInResponse(
        await ctx.responseXml('sp', { inResponseTo: requestId, nameId: EVIL_IDENTITY, key: fixtureKeys.attacker }),
        { certificate: fixtureKeys.sp.certificate },
      );
      const encrypted = parse(evilXml).getElementsByTagNameNS(
        'urn:oasis:names:tc:SAML:2.0:assertion',
        'EncryptedAssertion',
      )[0] as Element;
      doc.documentElement.insertBefore(doc.importNode(encrypted, true), assertionOf(doc));
      return ctx.postXml('sp', serialize(doc));
    },
  ),
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
  postRaw(
    'SAMLResponse of 1.5 MB',
    ['REQUEST_TOO_LARGE', 'SAML_RESPONSE_TOO_LARGE'],
    [413],
    () => `SAMLResponse=${'A'.repeat(1_500_000)}`,
  ),
  postRaw(
    "SAMLResponse of 100,004 base64 characters (over AWS's limit)",
    ['SAML_RESPONSE_TOO_LARGE'],
    [413],
    () => `SAMLResponse=${'QUFB'.repeat(25_001)}`,
  ),
  postRaw(
    'RelayState of 1 MB beside a valid response',
    ['REQUEST_TOO_LARGE'],
    [413],
    async (ctx) =>
      `SAMLResponse=${encodeURIComponent(toBase64(await ctx.responseXml('sp')))}&RelayState=${'x'.repeat(1_000_000)}`,
  ),
  postRaw('11 form parameters', ['BAD_REQUEST', 'REQUEST_TOO_LARGE'], [400, 413], () =>
    Array.from({ length: 11 }, (_, i) => `p${i}=1`).join('&'),
  ),
  postRaw('SAMLResponse that is not base64', MALFORMED, [400], () => 'SAMLResponse=!!!not-base64!!!'),
  postRaw(
    'base64 of 3 KB of random bytes',
    MALFORMED,
    [400],
    () => `SAMLResponse=${encodeURIComponent(randomBytes(3072).toString('base64'))}`,
  ),
  postRaw(
    'base64 of plain text',
    MALFORMED,
    [400],
    () => `SAMLResponse=${encodeURIComponent(Buffer.from('hello world, I am a SAML response').toString('base64'))}`,
  ),
  postRaw('empty SAMLResponse', ['SAML_RESPONSE_MISSING'], [400], () => 'SAMLResponse='),
  postRaw('no SAMLResponse field', ['SAML_RESPONSE_MISSING'], [400], () => 'RelayState=%2F'),
  postRaw('SAMLResponse given twice', ['SAML_RESPONSE_MISSING'], [400], async (ctx) => {
    const valid = encodeURIComponent(toBase64(await ctx.responseXml('sp')));
    return `SAMLResponse=${valid}&SAMLResponse=${valid}`;
  }),
  attack(
    'base64 alphabet then 40,000 line breaks and one bad character (regex backtracking)',
    MALFORMED,
    async (ctx) =>
      measured(
        ctx,
        () => ctx.attacker('sp').postForm(`/saml/acs/${IDP_ID}`, `SAMLResponse=nPLq${'%0D'.repeat(40_000)}-`),
        { ms: 500 },
      ),
    [400],
  ),
  postRaw(
    'invalid percent-encoded bytes in the form',
    [...MALFORMED, 'BAD_REQUEST'],
    [400],
    () => 'SAMLResponse=%FF%FE%C0%AF',
  ),
  attack(
    'Latin-1 bytes: signed as UTF-8, re-encoded as ISO-8859-1',
    ['SAML_SIGNATURE_INVALID', 'SAML_MALFORMED'],
    async (ctx) => {
      const xml = await ctx.responseXml('sp', { nameId: 'jörg@example.com' });
      return ctx.post(
        'sp',
        ctx.attacker('sp'),
        Buffer.from(xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'latin1').toString('base64'),
      );
    },
  ),
  attack(
    'UTF-16LE with a byte-order mark',
    MALFORMED,
    async (ctx) => {
      const xml = await ctx.responseXml('sp');
      return ctx.post(
        'sp',
        ctx.attacker('sp'),
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]).toString('base64'),
      );
    },
    [400],
  ),
  attack('overlong UTF-8 for "@" in NameID (0xC0 0x80)', ['SAML_SIGNATURE_INVALID', 'SAML_MALFORMED'], async (ctx) => {
    const bytes = Buffer.from(await ctx.responseXml('sp'), 'utf8');
    const at = bytes.indexOf('alice@example.com') + 'alice'.length;
    return ctx.post(
      'sp',
      ctx.attacker('sp'),
      Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc1, 0x80]), bytes.subarray(at + 1)]).toString('base64'),
    );
  }),
  {
    // Unknown elements outside the signed assertion are not the attacker's identity: accepting them
    // as alice is fine, but nothing on the way (the SP, the AWS emulator) may fall over on the depth.
    name: 'Response with 9,000 nested unknown elements before Status (unsigned part)',
    kind: 'probe',
    class: 'protocol',
    judge: (me) =>
      me.nameId === 'alice@example.com'
        ? { ok: true, label: 'accepted as the signed identity' }
        : { ok: false, label: `UNEXPECTED identity ${me.nameId}` },
    async run(ctx) {
      const xml = await ctx.responseXml('sp');
      const nested = `${'<e>'.repeat(9_000)}${'</e>'.repeat(9_000)}`;
      return measured(ctx, () => ctx.postXml('sp', xml.replace('<samlp:Status>', `${nested}<samlp:Status>`)));
    },
  },
  sloBomb(
    'SLO Redirect: deflate bomb, 10 MB of zeros in a 13 KB query',
    () => deflateBomb(Buffer.alloc(1_000_000), 10),
    LOGOUT_BOMB_CODES,
    [400, 401, 413, 414, 431],
  ),
  sloBomb(
    'SLO Redirect: deflate bomb, LogoutRequest with a 12 MB NameID',
    () =>
      deflateRawSync(
        Buffer.concat([
          Buffer.from(LOGOUT_REQUEST_HEAD),
          Buffer.alloc(12_000_000, 0x61),
          Buffer.from('</saml:NameID></samlp:LogoutRequest>'),
        ]),
        { level: 9 },
      ),
    LOGOUT_BOMB_CODES,
    [400, 401, 413, 414, 431],
  ),
  sloBomb(
    'SLO Redirect: deflate bomb, 3 MB of nested elements',
    () => deflateRawSync(Buffer.from('<a>'.repeat(1_000_000)), { level: 9 }),
    LOGOUT_BOMB_CODES,
    [400, 401, 413, 414, 431],
  ),
  sloBomb(
    'SLO Redirect: deflate bomb, 1 GB of zeros in a 1.3 MB query',
    () => deflateBomb(Buffer.alloc(1_000_000), 1000),
    LOGOUT_BOMB_CODES,
    [400, 413, 414, 431],
  ),
  sloBomb(
    'SLO POST: a 75 KB deflate bomb (50 MB of zeros) where base64 XML is expected',
    () => deflateBomb(Buffer.alloc(1_000_000), 50),
    ['SAML_MALFORMED', 'SAML_LOGOUT_INVALID', 'SAML_RESPONSE_TOO_LARGE', 'SAML_SIGNATURE_INVALID'],
    [400, 401, 413],
    'post',
  ),
];
