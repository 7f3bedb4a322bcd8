// Protocol attacks on the envelope: oversized and repeated form fields, bodies that are not
// base64 or not XML, foreign encodings and overlong UTF-8, deep nesting outside the signed part,
// and deflate bombs on the SLO bindings; resource-probe.ts times the ones that could block.
import { constants, deflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { CaseContext, SecurityCase } from './attack-runner.ts';
import { IDP_ID } from './security-harness.ts';
import { toBase64 } from './attack-xml.ts';
import { measured } from './resource-probe.ts';
import { attack } from './support-protocol-cases.ts';

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

const MALFORMED = ['SAML_MALFORMED'];
const LOGOUT_BOMB_CODES = ['SAML_MALFORMED', 'SAML_RESPONSE_TOO_LARGE', 'SAML_LOGOUT_INVALID', '-'];
const LOGOUT_REQUEST_HEAD =
  '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_bomb" Version="2.0" IssueInstant="2020-01-01T00:00:00Z"><saml:NameID>';

export const payloadCases: SecurityCase[] = [
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
