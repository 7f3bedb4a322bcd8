// The in-process SAML feature tests (saml-features*.test.ts) share this: a scenario (IdP and SP
// settings, who starts the login, the signed response's overrides, an edit after signing) run against a
// fresh real ServiceProvider, and the checks on its outcome, accepted as alice or refused with a code.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import type { ValidatedLogin } from '../../src/saml/service-provider.ts';
import { aShapeServiceProvider, type ShapeSpOptions } from '../support/idp-shape-sp.ts';
import {
  aSamlResponseXml,
  fixtureKeys,
  TEST_PRINCIPAL_ARN,
  TEST_ROLE_ARN,
  type SamlResponseOverrides,
} from '../support/sign-response.ts';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const SP_DECRYPTION = { decryptionKey: fixtureKeys.sp.privateKey, decryptionCert: fixtureKeys.sp.certificate };

export type Outcome = { accepted: ValidatedLogin } | { refused: unknown };

export interface Scenario extends ShapeSpOptions {
  /** 'sp' (default) sends an AuthnRequest first and answers it; 'idp' sends no InResponseTo. */
  initiated?: 'sp' | 'idp';
  /**
   * Signed response overrides (destination, recipient and inResponseTo are filled in); a function is called when the
   * test runs.
   */
  response?: SamlResponseOverrides | (() => SamlResponseOverrides);
  /** Rewrites the signed XML before it is posted (encryption). */
  then?: (xml: string) => Promise<string>;
}

/** Builds a fresh SP, sends the response the scenario describes, and reports the outcome. */
export async function run(scenario: Scenario): Promise<Outcome> {
  const h = aShapeServiceProvider({ idp: scenario.idp, sp: scenario.sp, now: scenario.now });
  try {
    const inResponseTo = scenario.initiated === 'idp' ? undefined : await h.startLogin();
    const overrides = typeof scenario.response === 'function' ? scenario.response() : scenario.response;
    const signed = aSamlResponseXml({ destination: h.acsUrl, recipient: h.acsUrl, inResponseTo, ...overrides });
    const xml = scenario.then === undefined ? signed : await scenario.then(signed);
    try {
      return { accepted: await h.validateXml(xml) };
    } catch (err) {
      return { refused: err };
    }
  } finally {
    await h.close();
  }
}

export function assertAccepted(outcome: Outcome): ValidatedLogin {
  if ('refused' in outcome) {
    const err = outcome.refused;
    assert.fail(
      `expected the response to be accepted, got ${err instanceof AppError ? `${err.code}: ${err.publicMessage}` : String(err)}`,
    );
  }
  assert.equal(outcome.accepted.identity.roleSessionName, 'alice');
  assert.deepEqual(outcome.accepted.identity.roles, [{ roleArn: TEST_ROLE_ARN, principalArn: TEST_PRINCIPAL_ARN }]);
  return outcome.accepted;
}

export function assertRefused(outcome: Outcome, code: string): AppError {
  assert.ok('refused' in outcome, `expected ${code}, but the response was accepted`);
  const err = outcome.refused;
  assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
  assert.equal(err.code, code, `code (message: ${err.publicMessage})`);
  assert.equal(err.status, 401);
  return err;
}

export interface Case {
  name: string;
  scenario: Scenario;
  /** 'accepted', or the refusal code. */
  expect: string;
  /** Checked against the refusal's public message. */
  message?: RegExp;
}

export function runCases(cases: readonly Case[]): void {
  for (const c of cases) {
    it(c.name, async () => {
      const outcome = await run(c.scenario);
      if (c.expect === 'accepted') {
        assertAccepted(outcome);
        return;
      }
      const err = assertRefused(outcome, c.expect);
      if (c.message !== undefined) assert.match(err.publicMessage, c.message);
    });
  }
}
