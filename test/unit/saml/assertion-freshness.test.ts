// checkAssertionFreshness on the xml2js shape node-saml produces, with a fixed clock: IssueInstant
// of Response and assertion against the maximum age and the future, AuthnInstant, and
// SessionNotOnOrAfter (refused when past, the earliest one returned otherwise).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionRejected } from '../../../src/errors.ts';
import { checkAssertionFreshness, type FreshnessContext } from '../../../src/saml/assertion-freshness.ts';
import { thrownBy } from '../../support/unit-errors.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const SKEW_MS = 60_000;
const MAX_AGE_MS = 300_000;

const at = (offsetSeconds: number): string => new Date(NOW.getTime() + offsetSeconds * 1000).toISOString();

interface Spec {
  responseIssued?: string | null;
  assertionIssued?: string | null;
  statements?: Array<{ authnInstant?: string; sessionNotOnOrAfter?: string }>;
}

function run(spec: Spec, overrides: Partial<FreshnessContext> = {}) {
  const statements = spec.statements ?? [{ authnInstant: at(-5) }];
  const assertion = {
    Assertion: {
      $: { ID: '_a1', ...(spec.assertionIssued === null ? {} : { IssueInstant: spec.assertionIssued ?? at(-5) }) },
      AuthnStatement: statements.map((s) => ({
        $: {
          ...(s.authnInstant === undefined ? {} : { AuthnInstant: s.authnInstant }),
          ...(s.sessionNotOnOrAfter === undefined ? {} : { SessionNotOnOrAfter: s.sessionNotOnOrAfter }),
        },
      })),
    },
  };
  const responseIssueInstant = spec.responseIssued === null ? undefined : (spec.responseIssued ?? at(-5));
  return () =>
    checkAssertionFreshness(assertion, {
      now: NOW,
      skewMs: SKEW_MS,
      maxResponseAgeMs: MAX_AGE_MS,
      responseIssueInstant,
      ...overrides,
    });
}

describe('checkAssertionFreshness', () => {
  const refusals: Array<{
    name: string;
    spec: Spec;
    context?: Partial<FreshnessContext>;
    code: string;
    status?: number;
  }> = [
    {
      name: 'an assertion issued 361 s ago (300 s + 60 s skew)',
      spec: { assertionIssued: at(-361) },
      code: 'SAML_RESPONSE_TOO_OLD',
    },
    { name: 'a Response issued 361 s ago', spec: { responseIssued: at(-361) }, code: 'SAML_RESPONSE_TOO_OLD' },
    {
      name: 'an assertion issued 48 hours ago',
      spec: { assertionIssued: at(-48 * 3600), statements: [{ authnInstant: at(-48 * 3600) }] },
      code: 'SAML_RESPONSE_TOO_OLD',
    },
    { name: 'an assertion issued 61 s in the future', spec: { assertionIssued: at(61) }, code: 'SAML_NOT_YET_VALID' },
    { name: 'a Response issued 61 s in the future', spec: { responseIssued: at(61) }, code: 'SAML_NOT_YET_VALID' },
    {
      name: 'an AuthnInstant 61 s in the future',
      spec: { statements: [{ authnInstant: at(61) }] },
      code: 'SAML_NOT_YET_VALID',
    },
    {
      name: 'an AuthnInstant older than maxAuthnAgeMs plus skew',
      spec: { statements: [{ authnInstant: at(-3661) }] },
      context: { maxAuthnAgeMs: 3_600_000 },
      code: 'SAML_AUTHN_TOO_OLD',
    },
    {
      name: 'a SessionNotOnOrAfter 60 s past (the skew)',
      spec: { statements: [{ sessionNotOnOrAfter: at(-60) }] },
      code: 'SAML_SESSION_EXPIRED',
    },
    {
      name: 'a past SessionNotOnOrAfter in the second AuthnStatement',
      spec: { statements: [{ sessionNotOnOrAfter: at(3600) }, { sessionNotOnOrAfter: at(-3600) }] },
      code: 'SAML_SESSION_EXPIRED',
    },
    { name: 'a Response without IssueInstant', spec: { responseIssued: null }, code: 'SAML_MALFORMED', status: 400 },
    { name: 'an assertion without IssueInstant', spec: { assertionIssued: null }, code: 'SAML_MALFORMED', status: 400 },
    { name: 'an unreadable IssueInstant', spec: { assertionIssued: 'yesterday' }, code: 'SAML_MALFORMED', status: 400 },
    {
      name: 'an unreadable AuthnInstant',
      spec: { statements: [{ authnInstant: 'soon' }] },
      code: 'SAML_MALFORMED',
      status: 400,
    },
    {
      name: 'an unreadable SessionNotOnOrAfter',
      spec: { statements: [{ sessionNotOnOrAfter: 'never' }] },
      code: 'SAML_MALFORMED',
      status: 400,
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name} with ${c.code}`, () => {
      const err = thrownBy(run(c.spec, c.context));
      assert.ok(err instanceof AssertionRejected, String(err));
      assert.equal(err.code, c.code);
      assert.equal(err.status, c.status ?? 401);
    });
  }

  const accepted: Array<{ name: string; spec: Spec; context?: Partial<FreshnessContext> }> = [
    { name: 'an assertion issued 359 s ago', spec: { assertionIssued: at(-359), responseIssued: at(-359) } },
    {
      name: 'an assertion issued 59 s in the future (within the skew)',
      spec: { assertionIssued: at(59), responseIssued: at(59) },
    },
    {
      name: 'an AuthnInstant 48 hours old without maxAuthnAgeMs',
      spec: { statements: [{ authnInstant: at(-48 * 3600) }] },
    },
    {
      name: 'an AuthnInstant 3659 s old with maxAuthnAgeMs of an hour',
      spec: { statements: [{ authnInstant: at(-3659) }] },
      context: { maxAuthnAgeMs: 3_600_000 },
    },
    {
      name: 'a larger maximum age',
      spec: { assertionIssued: at(-900), responseIssued: at(-900) },
      context: { maxResponseAgeMs: 900_000 },
    },
    { name: 'no AuthnStatement at all', spec: { statements: [] } },
    { name: 'an AuthnStatement without AuthnInstant', spec: { statements: [{}] } },
    {
      name: 'a SessionNotOnOrAfter 59 s past (within the skew)',
      spec: { statements: [{ sessionNotOnOrAfter: at(-59) }] },
    },
  ];
  for (const c of accepted) {
    it(`accepts ${c.name}`, () => {
      run(c.spec, c.context)();
    });
  }

  it('returns the earliest SessionNotOnOrAfter, and none when no statement has one', () => {
    assert.deepEqual(
      run({ statements: [{ sessionNotOnOrAfter: at(7200) }, { sessionNotOnOrAfter: at(1200) }, {}] })(),
      { sessionNotOnOrAfter: new Date(at(1200)) },
    );
    assert.deepEqual(run({ statements: [{ authnInstant: at(-5) }] })(), {});
  });
});
