// Protocol attacks: replay (same instance, and a second instance sharing the store) and
// RelayState open redirects here; addressing and time windows, InResponseTo and assertion count,
// and size, encoding and deflate bombs in the corpus-protocol-*.ts files, assembled in this order.
import type { AppName, SecurityCase } from './attack-runner.ts';
import { IDP_ID } from './security-harness.ts';
import { toBase64 } from './attack-xml.ts';
import { attack, usedBy } from './support-protocol-cases.ts';
import { addressingCases, timeWindowCases } from './corpus-protocol-addressing.ts';
import { assertionCountCases, inResponseToCases, statusCases } from './corpus-protocol-requests.ts';
import { payloadCases } from './corpus-protocol-payload.ts';

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

const relayStateCases: SecurityCase[] = [
  '//evil.example/',
  '/\\evil.example/',
  'https://evil.example/',
  '/\t/evil.example',
  '/.//evil.example',
  'javascript:alert(1)',
  '/%0d%0aSet-Cookie:x=1',
].map(relayState);

const replayCases: SecurityCase[] = [
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
];

export const protocolCases: SecurityCase[] = [
  ...relayStateCases,
  ...replayCases,
  ...addressingCases,
  ...timeWindowCases,
  ...inResponseToCases,
  ...assertionCountCases,
  ...statusCases,
  ...payloadCases,
];
