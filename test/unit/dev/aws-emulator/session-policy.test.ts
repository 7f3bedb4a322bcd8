// The emulator's session policies: IAM's wildcards in actions and ARNs, its decision (explicit
// Deny wins, then an Allow, else the implicit deny), and the checks STS makes on a Policy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  actionMatches,
  arnMatches,
  decide,
  globMatches,
  parseSessionPolicy,
} from '../../../../src/dev/aws-emulator/session-policy.ts';
import { AwsFault } from '../../../../src/dev/aws-emulator/wire.ts';

const ALICE = 'arn:aws:redshift:us-east-1:123456789012:dbuser:analytics/alice';
const BOB = 'arn:aws:redshift:us-east-1:123456789012:dbuser:analytics/bob';

function policy(...statements: unknown[]) {
  return parseSessionPolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }));
}

describe('globMatches', () => {
  const table: Array<[pattern: string, value: string, matches: boolean]> = [
    ['alice', 'alice', true],
    ['alice', 'alicia', false],
    ['*', '', true],
    ['a*e', 'alice', true],
    ['a*e', 'alicia', false],
    ['a?ice', 'alice', true],
    ['a?ice', 'aice', false],
    ['*/alice', 'analytics/alice', true],
    ['*/alice', 'analytics/bob', false],
    ['a*b*c*d', 'axxbyyczzd', true],
    ['a*b*c*d', 'axxbyyczz', false],
    ['d${*}b', 'd*b', true],
    ['d${*}b', 'dxb', false],
    ['d${?}b', 'd?b', true],
    ['d${$}b', 'd$b', true],
    ['${aws:username}', 'alice', false],
  ];
  for (const [pattern, value, matches] of table) {
    it(`${pattern} ${matches ? 'matches' : 'does not match'} ${JSON.stringify(value)}`, () =>
      assert.equal(globMatches(pattern, value), matches));
  }

  it('stays fast on patterns made of many stars', () => {
    assert.equal(globMatches(`${'*a'.repeat(200)}b`, 'a'.repeat(2000)), false);
  });
});

describe('actionMatches and arnMatches', () => {
  it('compares actions without regard to case, with wildcards', () => {
    assert.ok(actionMatches('redshift:Get*', 'redshift:GetClusterCredentials'));
    assert.ok(actionMatches('redshift:Get*', 'redshift:GetClusterCredentialsWithIAM'));
    assert.ok(actionMatches('REDSHIFT:getclustercredentials', 'redshift:GetClusterCredentials'));
    assert.ok(!actionMatches('redshift:Get*', 'redshift:DescribeClusters'));
    assert.ok(!actionMatches('redshift:Get*', 'redshift-serverless:GetCredentials'));
    assert.ok(actionMatches('redshift*:Get*', 'redshift-serverless:GetCredentials'));
  });

  it('compares ARNs segment by segment, case-sensitively', () => {
    assert.ok(arnMatches('*', ALICE));
    assert.ok(arnMatches(ALICE, ALICE));
    assert.ok(arnMatches('arn:aws:redshift:*:123456789012:dbuser:*/alice', ALICE));
    assert.ok(arnMatches('arn:aws:redshift:us-east-?:123456789012:dbuser:analytics/*', BOB));
    assert.ok(!arnMatches('arn:aws:redshift:*:123456789012:dbuser:*/alice', BOB));
    assert.ok(!arnMatches('arn:aws:redshift:us-east-1:123456789012:dbuser:Analytics/alice', ALICE));
    assert.ok(!arnMatches('arn:aws:redshift:us-east-1:*', ALICE), 'a wildcard does not reach across segments');
    assert.ok(
      !arnMatches(
        'arn:aws:redshift:*:123456789012:dbuser:analytics/alice',
        'arn:aws:redshift:us-east-1:999999999999:dbuser:analytics/alice',
      ),
    );
    assert.ok(arnMatches('arn:aws:redshift:us-east-1:123456789012:*', ALICE), 'the resource segment may hold colons');
  });
});

describe('decide', () => {
  const allowAlice = { Effect: 'Allow', Action: 'redshift:GetClusterCredentials', Resource: ALICE };

  it('allows only what an Allow names: other resources and actions are implicitly denied', () => {
    const p = policy(allowAlice);
    assert.equal(decide(p, 'redshift:GetClusterCredentials', ALICE), 'allow');
    assert.equal(decide(p, 'redshift:GetClusterCredentials', BOB), 'implicit-deny');
    assert.equal(decide(p, 'redshift:CreateClusterUser', ALICE), 'implicit-deny');
    assert.equal(
      decide(policy(), 'redshift:GetClusterCredentials', ALICE),
      'implicit-deny',
      'no statement: nothing allowed',
    );
  });

  it('lets an explicit Deny win over any Allow', () => {
    const p = policy(
      { Effect: 'Allow', Action: 'redshift:*', Resource: '*' },
      { Effect: 'Deny', Action: 'redshift:Get*', Resource: 'arn:aws:redshift:*:*:dbuser:*/bob' },
    );
    assert.equal(decide(p, 'redshift:GetClusterCredentials', ALICE), 'allow');
    assert.equal(decide(p, 'redshift:GetClusterCredentials', BOB), 'explicit-deny');
    assert.equal(decide(p, 'redshift:CreateClusterUser', BOB), 'allow');
  });

  it('reads NotAction and NotResource as everything but', () => {
    const p = policy({ Effect: 'Allow', NotAction: 'redshift:CreateClusterUser', NotResource: BOB });
    assert.equal(decide(p, 'redshift:GetClusterCredentials', ALICE), 'allow');
    assert.equal(decide(p, 'redshift:GetClusterCredentials', BOB), 'implicit-deny');
    assert.equal(decide(p, 'redshift:CreateClusterUser', ALICE), 'implicit-deny');
  });

  it('errs towards refusing where a Condition would decide', () => {
    const condition = { StringEquals: { 'redshift:DbUser': 'alice' } };
    assert.equal(
      decide(policy({ ...allowAlice, Condition: condition }), 'redshift:GetClusterCredentials', ALICE),
      'implicit-deny',
    );
    assert.equal(
      decide(
        policy(allowAlice, { Effect: 'Deny', Action: '*', Resource: '*', Condition: condition }),
        'redshift:GetClusterCredentials',
        ALICE,
      ),
      'explicit-deny',
    );
  });
});

describe('parseSessionPolicy', () => {
  it('takes a single statement object as well as a list', () => {
    const parsed = parseSessionPolicy(
      JSON.stringify({ Statement: { Effect: 'Allow', Action: ['redshift:A', 'redshift:B'], Resource: '*' } }),
    );
    assert.deepEqual(
      parsed.statements.map((s) => s.actions),
      [['redshift:A', 'redshift:B']],
    );
  });

  const refused: Array<[name: string, text: string, code: string]> = [
    [
      'longer than 2048 characters',
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: 'x'.repeat(2048) }] }),
      'ValidationError',
    ],
    [
      'a character beyond Latin-1',
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '東' }] }),
      'ValidationError',
    ],
    ['empty', '', 'ValidationError'],
    ['not JSON', '{"Statement": [', 'MalformedPolicyDocument'],
    ['no Statement', '{"Version":"2012-10-17"}', 'MalformedPolicyDocument'],
    ['an unknown Version', '{"Version":"2020-01-01","Statement":[]}', 'MalformedPolicyDocument'],
    [
      'a Principal',
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }),
      'MalformedPolicyDocument',
    ],
    ['no Effect', JSON.stringify({ Statement: [{ Action: '*', Resource: '*' }] }), 'MalformedPolicyDocument'],
    [
      'both Action and NotAction',
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', NotAction: 'x:y', Resource: '*' }] }),
      'MalformedPolicyDocument',
    ],
    ['no Resource', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*' }] }), 'MalformedPolicyDocument'],
    [
      'an empty Action list',
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }),
      'MalformedPolicyDocument',
    ],
  ];
  for (const [name, text, code] of refused) {
    it(`refuses a policy with ${name} (${code})`, () => {
      assert.throws(
        () => parseSessionPolicy(text),
        (error: unknown) => error instanceof AwsFault && error.code === code && error.status === 400,
      );
    });
  }
});
