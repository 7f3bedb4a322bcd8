// Attribute abuse in responses the IdP really signed (a compromised or careless IdP, or a user who
// controls their own profile fields): roles the clusters don't list or that pair a role with
// another account's provider, malformed ARNs, too many roles, hostile DbUser / RoleSessionName /
// DbGroups values, and SessionDuration out of range. Values the service may drop or clamp instead
// of refusing are probes, judged on what it kept.
import type { EmulatorCall } from '../../src/dev/aws-emulator.ts';
import {
  fixtureKeys,
  AWS_ROLE,
  AWS_ROLE_SESSION_NAME,
  REDSHIFT_DB_GROUPS,
  REDSHIFT_DB_USER,
  TEST_PRINCIPAL_ARN,
  TEST_ROLE_ARN,
} from '../support/sign-response.ts';
import type { Me, ProbeJudgement, SecurityCase } from './attack-runner.ts';
import { ATTACKER_IDP_ID, ATTACKER_IDP_ISSUER } from './security-harness.ts';
import { attacksOf } from './attack-cases.ts';

const SESSION_DURATION = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';
const OTHER_ACCOUNT = '999999999999';
const HOSTILE: ReadonlyArray<readonly [string, string]> = [
  ['SQL-ish', "a';drop table x;--"],
  ['path', '../../etc'],
  ['NUL control character', 'alice\u0000x'],
  ['newline', 'ali\nce'],
  ['Cyrillic look-alike', 'аlice'],
];

type Attributes = Record<string, string | string[] | undefined>;

const attack = attacksOf('attributes');

function refused(
  name: string,
  codes: readonly string[],
  extraAttributes: Attributes,
  statuses?: readonly number[],
): SecurityCase {
  return attack(
    name,
    codes,
    async (ctx) => ctx.postXml('sp', await ctx.responseXml('sp', { extraAttributes })),
    statuses,
  );
}

function probe(
  name: string,
  extraAttributes: Attributes,
  judge: (me: Me, sts: EmulatorCall[]) => ProbeJudgement,
): SecurityCase {
  return {
    name,
    kind: 'probe',
    class: 'attributes',
    judge,
    run: async (ctx) => ctx.postXml('sp', await ctx.responseXml('sp', { extraAttributes })),
  };
}

const roles = (...values: string[]) => ({ [AWS_ROLE]: values });
const NOT_PERMITTED = ['ROLE_NOT_PERMITTED'];
const NO_ROLE = ['SAML_NO_USABLE_ROLE'];
const INVALID = ['SAML_ATTRIBUTE_INVALID'];
/** A NUL is not an XML character: refusing the document is as good as refusing the value. */
const INVALID_OR_MALFORMED = ['SAML_ATTRIBUTE_INVALID', 'SAML_MALFORMED', 'SAML_SIGNATURE_INVALID'];

function dropped(value: string): (me: Me) => ProbeJudgement {
  return (me) =>
    me.dbGroups.includes(value) || me.dbGroups.some((g) => !/^[a-z0-9_+.@-]{1,127}$/.test(g))
      ? { ok: false, label: `KEPT hostile DbGroups: ${JSON.stringify(me.dbGroups)}` }
      : { ok: true, label: `accepted, value dropped (dbGroups ${JSON.stringify(me.dbGroups)})` };
}

function durationWithin(min: number, max: number): (me: Me, sts: EmulatorCall[]) => ProbeJudgement {
  return (_me, sts) => {
    const asked = sts.map((c) => Number(c.params.DurationSeconds ?? 3600));
    return asked.length > 0 && asked.every((d) => d >= min && d <= max)
      ? { ok: true, label: `accepted, DurationSeconds ${asked.join(',')}` }
      : { ok: false, label: `DurationSeconds OUT OF RANGE: ${asked.join(',')}` };
  };
}

export const attributeCases: SecurityCase[] = [
  {
    // The service cannot know which IAM SAML provider belongs to which connection, so it asks STS;
    // STS must refuse (the provider trusts only the test IdP's key). Accepting would be the finding.
    name: "partner IdP (trusted for its own connection) asserts the test IdP's listed role and provider",
    kind: 'probe',
    class: 'attributes',
    judge: (me) => ({ ok: false, label: `ACCEPTED via another connection's provider as ${me.nameId}` }),
    async run(ctx) {
      const acsUrl = ctx.apps.sp.acsUrl.replace(/\/[^/]+$/, `/${ATTACKER_IDP_ID}`);
      const inResponseTo = await ctx.apps.sp.startLogin(ctx.victim('sp'), ATTACKER_IDP_ID);
      const xml = await ctx.responseXml('sp', {
        key: fixtureKeys.attacker,
        issuer: ATTACKER_IDP_ISSUER,
        destination: acsUrl,
        recipient: acsUrl,
        inResponseTo,
      });
      return ctx.postXml('sp', xml, ATTACKER_IDP_ID);
    },
  },
  refused(
    'Role and provider of another account, no cluster lists it',
    NOT_PERMITTED,
    roles(`arn:aws:iam::${OTHER_ACCOUNT}:role/Admin,arn:aws:iam::${OTHER_ACCOUNT}:saml-provider/TestIdP`),
    [403],
  ),
  refused(
    'Role of the same account that no cluster lists',
    NOT_PERMITTED,
    roles(`arn:aws:iam::123456789012:role/Admin,${TEST_PRINCIPAL_ARN}`),
    [403],
  ),
  refused(
    "listed role paired with another account's provider",
    NO_ROLE,
    roles(`${TEST_ROLE_ARN},arn:aws:iam::${OTHER_ACCOUNT}:saml-provider/EvilIdP`),
  ),
  refused(
    "role in another account paired with the IdP's provider",
    NO_ROLE,
    roles(`arn:aws:iam::${OTHER_ACCOUNT}:role/RedshiftAnalyst,${TEST_PRINCIPAL_ARN}`),
  ),
  refused(
    'listed role name in the aws-cn partition',
    NOT_PERMITTED,
    roles(
      `${TEST_ROLE_ARN.replace('arn:aws:', 'arn:aws-cn:')},${TEST_PRINCIPAL_ARN.replace('arn:aws:', 'arn:aws-cn:')}`,
    ),
    [403],
  ),
  refused(
    'role and provider in different partitions',
    NO_ROLE,
    roles(`${TEST_ROLE_ARN},${TEST_PRINCIPAL_ARN.replace('arn:aws:', 'arn:aws-us-gov:')}`),
  ),
  refused(
    'listed role spelled in lower case',
    NOT_PERMITTED,
    roles(`${TEST_ROLE_ARN.toLowerCase()},${TEST_PRINCIPAL_ARN}`),
    [403],
  ),
  refused(
    'role path with ../ segments',
    NOT_PERMITTED,
    roles(`arn:aws:iam::123456789012:role/x/../RedshiftAnalyst,${TEST_PRINCIPAL_ARN}`),
    [403],
  ),
  refused('role ARN without a provider', NO_ROLE, roles(TEST_ROLE_ARN)),
  refused(
    'three comma-separated ARNs in one value',
    NO_ROLE,
    roles(`${TEST_ROLE_ARN},${TEST_PRINCIPAL_ARN},arn:aws:iam::123456789012:role/Admin`),
  ),
  refused('wildcard role ARN', NO_ROLE, roles(`arn:aws:iam::*:role/*,${TEST_PRINCIPAL_ARN}`)),
  refused(
    'role ARN with a Cyrillic look-alike letter',
    NO_ROLE,
    roles(`${TEST_ROLE_ARN.replace('Analyst', 'Аnalyst')},${TEST_PRINCIPAL_ARN}`),
  ),
  refused(
    'role ARN with a newline inside',
    NO_ROLE,
    roles(`${TEST_ROLE_ARN.replace('Analyst', 'Ana\nlyst')},${TEST_PRINCIPAL_ARN}`),
  ),
  refused(
    'role ARN with a NUL inside',
    [...NO_ROLE, ...INVALID_OR_MALFORMED],
    roles(`${TEST_ROLE_ARN}\u0000,${TEST_PRINCIPAL_ARN}`),
  ),
  refused(
    'role ARN with SQL-ish text',
    NO_ROLE,
    roles(`arn:aws:iam::123456789012:role/x';drop table x;--,${TEST_PRINCIPAL_ARN}`),
  ),
  refused('no Role attribute', ['SAML_ATTRIBUTE_MISSING'], { [AWS_ROLE]: undefined }),
  refused(
    '101 role values',
    INVALID,
    roles(...Array.from({ length: 101 }, (_, i) => `arn:aws:iam::123456789012:role/R${i},${TEST_PRINCIPAL_ARN}`)),
  ),
  // 500 full pairs would pass AWS's 100,000-character limit (refused as too large); short values test the count.
  refused('500 role values', INVALID, roles(...Array.from({ length: 500 }, (_, i) => `r${i}`))),
  ...HOSTILE.map(([label, value]) =>
    refused(`DbUser ${label} ${JSON.stringify(value)}`, value.includes('\u0000') ? INVALID_OR_MALFORMED : INVALID, {
      [REDSHIFT_DB_USER]: value,
    }),
  ),
  refused('DbUser PUBLIC', INVALID, { [REDSHIFT_DB_USER]: 'PUBLIC' }),
  refused('DbUser of 65 characters', INVALID, { [REDSHIFT_DB_USER]: `a${'b'.repeat(64)}` }),
  refused('DbUser IAM:admin (the prefix Redshift adds)', INVALID, { [REDSHIFT_DB_USER]: 'IAM:admin' }),
  refused('DbUser with a space', INVALID, { [REDSHIFT_DB_USER]: 'alice admin' }),
  ...HOSTILE.map(([label, value]) =>
    refused(
      `RoleSessionName ${label} ${JSON.stringify(value)}`,
      value.includes('\u0000') ? INVALID_OR_MALFORMED : INVALID,
      { [AWS_ROLE_SESSION_NAME]: value },
    ),
  ),
  refused('RoleSessionName of 1 character', INVALID, { [AWS_ROLE_SESSION_NAME]: 'a' }),
  refused('RoleSessionName of 65 characters', INVALID, { [AWS_ROLE_SESSION_NAME]: 'a'.repeat(65) }),
  refused('no RoleSessionName', ['SAML_ATTRIBUTE_MISSING'], { [AWS_ROLE_SESSION_NAME]: undefined }),
  ...HOSTILE.map(([label, value]) =>
    probe(
      `DbGroups ${label} ${JSON.stringify(value)}`,
      { [REDSHIFT_DB_GROUPS]: ['analysts', value] },
      dropped(value.toLowerCase()),
    ),
  ),
  ...['-1', '99999999', '1e9', 'abc', '0', '999999', '3600.5', '٣٦٠٠', ' 43200 '].map((value) =>
    probe(`SessionDuration ${JSON.stringify(value)}`, { [SESSION_DURATION]: value }, durationWithin(900, 3600)),
  ),
];
