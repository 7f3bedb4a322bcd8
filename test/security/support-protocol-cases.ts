// Case builders the protocol corpus files share (corpus-protocol*.ts): an attack of class
// protocol, a response the test IdP signed with overrides (or after an edit), and the legitimate
// first use that a replay case needs before its attack begins.
import type { SamlResponseOverrides } from '../support/sign-response.ts';
import type { AppName, CaseContext, SecurityCase } from './attack-runner.ts';
import { attacksOf, mustChange } from './attack-cases.ts';

export const MINUTE = 60_000;

export const attack = attacksOf('protocol');

/** A valid signed response with `overrides`, posted by the attacker. */
export function signed(
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
export function signedAfter(
  name: string,
  codes: readonly string[],
  edit: (xml: string) => string,
  extra: SamlResponseOverrides = {},
): SecurityCase {
  return signed(name, codes, { ...extra, beforeSigning: (xml) => mustChange(xml, edit(xml)) });
}

/** The legitimate user signs in with `xml` first; what follows is the attack. */
export async function usedBy(ctx: CaseContext, app: AppName, samlResponse: string): Promise<void> {
  const res = await ctx.post(app, ctx.victim(app), samlResponse);
  await res.body?.cancel();
  if (res.status !== 303) throw new Error(`setup: the legitimate first use answered ${res.status}`);
  ctx.beginAttack();
}
