// The checks node-saml leaves to us, on the xml2js shape it produces (explicitCharkey): bearer
// Recipient and time window with skew, every AudienceRestriction, assertion ID and expiry.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_AUDIENCES } from '../../../src/config/schema-idp.ts';
import { AssertionRejected } from '../../../src/errors.ts';
import { checkAssertionConditions, type ConditionContext } from '../../../src/saml/assertion-conditions.ts';
import { thrownBy } from '../../support/unit-errors.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const SKEW_MS = 60_000;
const ACS = 'https://sso.example.com/saml/acs/corp';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

const at = (offsetSeconds: number): string => new Date(NOW.getTime() + offsetSeconds * 1000).toISOString();
const ctx = (overrides: Partial<ConditionContext> = {}): ConditionContext => ({
  acsUrl: ACS,
  audiences: DEFAULT_AUDIENCES,
  now: NOW,
  skewMs: SKEW_MS,
  ...overrides,
});

interface Confirmation {
  method?: string;
  recipient?: string;
  notBefore?: string;
  notOnOrAfter?: string;
}

interface AssertionSpec {
  id?: string;
  /** NameID values as xml2js gives them: an object with `_`, or a string for an element without attributes. */
  nameIds?: Array<Record<string, unknown> | string>;
  confirmations?: Confirmation[];
  conditions?: { notBefore?: string; notOnOrAfter?: string; audiences?: string[][] } | null;
}

function anAssertion(spec: AssertionSpec = {}): Record<string, unknown> {
  const confirmations = spec.confirmations ?? [{}];
  const conditions = spec.conditions === undefined ? {} : spec.conditions;
  const attrs = (values: Record<string, string | undefined>): Record<string, string> =>
    Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
  return {
    Assertion: {
      $: attrs({ ID: spec.id === undefined ? '_a1b2c3' : spec.id, Version: '2.0', IssueInstant: at(-5) }),
      Subject: [
        {
          NameID: spec.nameIds ?? [{ _: 'alice@example.com' }],
          SubjectConfirmation: confirmations.map((c) => ({
            $: { Method: c.method ?? BEARER },
            SubjectConfirmationData: [
              {
                $: attrs({
                  Recipient: c.recipient ?? ACS,
                  NotOnOrAfter: c.notOnOrAfter ?? at(300),
                  NotBefore: c.notBefore,
                }),
              },
            ],
          })),
        },
      ],
      ...(conditions === null
        ? {}
        : {
            Conditions: [
              {
                $: attrs({
                  NotBefore: conditions.notBefore ?? at(-5),
                  NotOnOrAfter: conditions.notOnOrAfter ?? at(600),
                }),
                AudienceRestriction: (conditions.audiences ?? [['urn:amazon:webservices']]).map((list) => ({
                  Audience: list.map((a) => ({ _: a })),
                })),
              },
            ],
          }),
    },
  };
}

function rejection(parsed: Record<string, unknown> | undefined, context = ctx()): AssertionRejected {
  const err = thrownBy(() => checkAssertionConditions(parsed, context));
  assert.ok(err instanceof AssertionRejected, String(err));
  return err;
}

describe('checkAssertionConditions', () => {
  it('returns the assertion ID and expiry (latest NotOnOrAfter plus skew)', () => {
    const facts = checkAssertionConditions(
      anAssertion({ confirmations: [{ notOnOrAfter: at(300) }], conditions: { notOnOrAfter: at(600) } }),
      ctx(),
    );
    assert.equal(facts.assertionId, '_a1b2c3');
    assert.equal(facts.expiresAt.toISOString(), at(660));
  });

  it('takes the subject NotOnOrAfter when it is the later one', () => {
    const facts = checkAssertionConditions(
      anAssertion({ confirmations: [{ notOnOrAfter: at(900) }], conditions: { notOnOrAfter: at(120) } }),
      ctx(),
    );
    assert.equal(facts.expiresAt.toISOString(), at(960));
  });

  it('takes the subject NotOnOrAfter when Conditions has none', () => {
    const parsed = anAssertion({ confirmations: [{ notOnOrAfter: at(300) }] });
    const conditions = (parsed.Assertion as { Conditions: Array<{ $: Record<string, string> }> }).Conditions[0];
    if (conditions !== undefined) delete conditions.$.NotOnOrAfter;
    assert.equal(checkAssertionConditions(parsed, ctx()).expiresAt.toISOString(), at(360));
  });

  // The replay cache forgets the ID at expiresAt; if a later confirmation still accepts the
  // assertion after that, the same response could be used twice.
  it('takes the latest NotOnOrAfter across several bearer confirmations for us', () => {
    const parsed = anAssertion({ confirmations: [{ notOnOrAfter: at(300) }, { notOnOrAfter: at(900) }] });
    const conditions = (parsed.Assertion as { Conditions: Array<{ $: Record<string, string> }> }).Conditions[0];
    if (conditions !== undefined) delete conditions.$.NotOnOrAfter;
    const facts = checkAssertionConditions(parsed, ctx());
    assert.equal(facts.expiresAt.toISOString(), at(960));
    // Still accepted after the first confirmation lapsed: the cache entry must outlive it.
    const later = new Date(NOW.getTime() + 400_000);
    assert.ok(checkAssertionConditions(parsed, ctx({ now: later })).expiresAt.getTime() > later.getTime());
  });

  const accepted: Array<{ name: string; spec: AssertionSpec; context?: Partial<ConditionContext> }> = [
    { name: 'a confirmation expired 50 s ago with a 60 s skew', spec: { confirmations: [{ notOnOrAfter: at(-50) }] } },
    {
      name: 'a confirmation valid from 50 s ahead with a 60 s skew',
      spec: { confirmations: [{ notBefore: at(50), notOnOrAfter: at(300) }] },
    },
    { name: 'a NotBefore in the past', spec: { confirmations: [{ notBefore: at(-30), notOnOrAfter: at(300) }] } },
    {
      name: 'one bearer confirmation for us among others',
      spec: {
        confirmations: [
          { recipient: 'https://other.example/acs' },
          { method: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' },
          {},
        ],
      },
    },
    {
      name: 'an expired confirmation followed by a valid one',
      spec: { confirmations: [{ notOnOrAfter: at(-3600) }, { notOnOrAfter: at(300) }] },
    },
    {
      name: 'the second default audience',
      spec: { conditions: { audiences: [['https://signin.aws.amazon.com/saml']] } },
    },
    {
      name: 'an accepted audience among others in one restriction',
      spec: { conditions: { audiences: [['https://other.example', 'urn:amazon:webservices']] } },
    },
    {
      name: 'two restrictions that each name an accepted audience',
      spec: {
        conditions: {
          audiences: [['urn:amazon:webservices'], ['https://signin.aws.amazon.com/saml', 'https://x.example']],
        },
      },
    },
    { name: 'a Subject without NameID (node-saml reports none; STS decides)', spec: { nameIds: [] } },
    { name: 'a NameID with spaces around it', spec: { nameIds: [{ _: ' alice ' }] } },
    {
      name: 'a configured audience',
      spec: { conditions: { audiences: [['https://sso.example.com/saml/metadata']] } },
      context: { audiences: ['https://sso.example.com/saml/metadata'] },
    },
  ];
  for (const c of accepted) {
    it(`accepts ${c.name}`, () => {
      assert.equal(checkAssertionConditions(anAssertion(c.spec), ctx(c.context)).assertionId, '_a1b2c3');
    });
  }

  const refused: Array<{
    name: string;
    parsed: () => Record<string, unknown> | undefined;
    code: string;
    status?: number;
    context?: Partial<ConditionContext>;
  }> = [
    {
      name: 'a Recipient that is not our ACS URL',
      parsed: () => anAssertion({ confirmations: [{ recipient: 'https://sso.example.com/saml/acs/other' }] }),
      code: 'SAML_RECIPIENT_MISMATCH',
    },
    {
      name: 'our Recipient only on a non-bearer confirmation',
      parsed: () => anAssertion({ confirmations: [{ method: 'urn:oasis:names:tc:SAML:2.0:cm:sender-vouches' }] }),
      code: 'SAML_RECIPIENT_MISMATCH',
    },
    {
      name: 'a confirmation expired 61 s ago with a 60 s skew',
      parsed: () => anAssertion({ confirmations: [{ notOnOrAfter: at(-61) }] }),
      code: 'SAML_EXPIRED',
    },
    {
      name: 'a confirmation expired exactly skew ago',
      parsed: () => anAssertion({ confirmations: [{ notOnOrAfter: at(-60) }] }),
      code: 'SAML_EXPIRED',
    },
    {
      name: 'a confirmation expired 50 s ago with no skew',
      parsed: () => anAssertion({ confirmations: [{ notOnOrAfter: at(-50) }] }),
      code: 'SAML_EXPIRED',
      context: { skewMs: 0 },
    },
    {
      name: 'a NotBefore 61 s ahead with a 60 s skew',
      parsed: () => anAssertion({ confirmations: [{ notBefore: at(61), notOnOrAfter: at(600) }] }),
      code: 'SAML_NOT_YET_VALID',
    },
    {
      name: 'a bearer confirmation without NotOnOrAfter',
      parsed: () => {
        const parsed = anAssertion();
        const data = (
          parsed.Assertion as {
            Subject: Array<{
              SubjectConfirmation: Array<{ SubjectConfirmationData: Array<{ $: Record<string, string> }> }>;
            }>;
          }
        ).Subject[0]?.SubjectConfirmation[0]?.SubjectConfirmationData[0];
        if (data !== undefined) delete data.$.NotOnOrAfter;
        return parsed;
      },
      code: 'SAML_SUBJECT_CONFIRMATION_INVALID',
    },
    {
      name: 'an audience we do not accept',
      parsed: () => anAssertion({ conditions: { audiences: [['https://other-sp.example/metadata']] } }),
      code: 'SAML_AUDIENCE_MISMATCH',
    },
    {
      name: 'a second AudienceRestriction we do not match',
      parsed: () =>
        anAssertion({ conditions: { audiences: [['urn:amazon:webservices'], ['https://other-sp.example/metadata']] } }),
      code: 'SAML_AUDIENCE_MISMATCH',
    },
    {
      name: 'no AudienceRestriction',
      parsed: () => anAssertion({ conditions: { audiences: [] } }),
      code: 'SAML_AUDIENCE_MISMATCH',
    },
    {
      name: 'an AudienceRestriction without Audience',
      parsed: () => anAssertion({ conditions: { audiences: [[]] } }),
      code: 'SAML_AUDIENCE_MISMATCH',
    },
    { name: 'no Conditions', parsed: () => anAssertion({ conditions: null }), code: 'SAML_AUDIENCE_MISMATCH' },
    { name: 'an assertion without ID', parsed: () => anAssertion({ id: '' }), code: 'SAML_MALFORMED', status: 400 },
    {
      name: 'an assertion with no $ at all',
      parsed: () => ({ Assertion: { Subject: [] } }),
      code: 'SAML_MALFORMED',
      status: 400,
    },
    { name: 'no assertion', parsed: () => ({}), code: 'SAML_MALFORMED', status: 400 },
    { name: 'nothing parsed', parsed: () => undefined, code: 'SAML_MALFORMED', status: 400 },
    {
      name: 'an empty NameID (no attributes)',
      parsed: () => anAssertion({ nameIds: [''] }),
      code: 'SAML_NAMEID_EMPTY',
    },
    {
      name: 'a NameID of spaces (no attributes)',
      parsed: () => anAssertion({ nameIds: ['   '] }),
      code: 'SAML_NAMEID_EMPTY',
    },
    {
      name: 'an empty NameID with a Format',
      parsed: () =>
        anAssertion({ nameIds: [{ $: { Format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' } }] }),
      code: 'SAML_NAMEID_EMPTY',
    },
    {
      name: 'a NameID of whitespace with a Format',
      parsed: () => anAssertion({ nameIds: [{ $: { Format: 'x' }, _: ' \n\t\u00a0' }] }),
      code: 'SAML_NAMEID_EMPTY',
    },
    {
      name: 'a NameID holding only an element',
      parsed: () => anAssertion({ nameIds: [{ b: [{ _: 'alice' }] }] }),
      code: 'SAML_NAMEID_EMPTY',
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name} with ${c.code}`, () => {
      const err = rejection(c.parsed(), ctx(c.context));
      assert.equal(err.code, c.code);
      assert.equal(err.status, c.status ?? 401);
    });
  }

  it('checks the recipient before the clock', () => {
    const err = rejection(
      anAssertion({ confirmations: [{ recipient: 'https://other.example/acs', notOnOrAfter: at(-3600) }] }),
    );
    assert.equal(err.code, 'SAML_RECIPIENT_MISMATCH');
  });
});
