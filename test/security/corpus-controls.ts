// Valid responses that must be accepted in the same run as the attacks: SP- and IdP-initiated,
// assertion-signed and Response+assertion-signed, encrypted, on each app the attacks target.
// They prove the refusals come from the attack, not from a harness that refuses everything.
import { encryptAssertionInResponse } from '../support/encrypt-assertion.ts';
import { fixtureKeys } from '../support/sign-response.ts';
import type { AppName, SecurityCase } from './attack-runner.ts';

function control(
  name: string,
  app: AppName,
  signing: { signResponse?: boolean; signAssertion?: boolean },
  idpInitiated = false,
): SecurityCase {
  return {
    name,
    kind: 'control',
    class: 'control',
    async run(ctx) {
      const xml = await ctx.responseXml(app, { ...signing, ...(idpInitiated ? { inResponseTo: undefined } : {}) });
      return ctx.postXml(app, xml);
    },
  };
}

export const controlCases: SecurityCase[] = [
  control('SP-initiated, assertion signed', 'sp', {}),
  control('SP-initiated, Response and assertion signed', 'sp', { signResponse: true, signAssertion: true }),
  {
    name: 'SP-initiated, signed assertion encrypted for the SP',
    kind: 'control',
    class: 'control',
    async run(ctx) {
      const xml = await encryptAssertionInResponse(await ctx.responseXml('sp'), {
        certificate: fixtureKeys.sp.certificate,
      });
      return ctx.postXml('sp', xml);
    },
  },
  control('IdP-initiated, assertion signed', 'idpInit', {}, true),
  control('IdP-initiated, Response and assertion signed', 'idpInit', { signResponse: true, signAssertion: true }, true),
  control('IdP-initiated on the second instance (shared store)', 'peer', {}, true),
  control('SP-initiated, Response signed only (wantAssertionsSigned: false)', 'respOnly', {
    signResponse: true,
    signAssertion: false,
  }),
];
