// Canonicalization tricks the service may accept only with a safe reading. Comments, CDATA and
// character references vanish in exclusive c14n, so the IdP's signature still verifies when they are
// inserted after signing (the 2018 Duo "comment truncation" class): the service must refuse or read the
// full text, never the part before the comment. Each trick is probed inserted after signing and signed
// by the IdP. The parser attacks that must be refused are in corpus-parser.ts.
import {
  AWS_ROLE,
  AWS_ROLE_SESSION_NAME,
  REDSHIFT_DB_GROUPS,
  REDSHIFT_DB_USER,
  TEST_PRINCIPAL_ARN,
  TEST_ROLE_ARN,
  type SamlResponseOverrides,
} from '../support/sign-response.ts';
import type { Me, ProbeJudgement, SecurityCase } from './attack-runner.ts';

type Field = 'nameId' | 'dbUser' | 'dbGroups' | 'role';

function read(me: Me, field: Field): string[] {
  if (field === 'dbGroups') return me.dbGroups;
  if (field === 'role') return me.roles.map((r) => r.roleArn);
  return [me[field]];
}

/** Accepted is fine only when the service read the full signed text. */
function fullText(field: Field, full: string, truncated: string): (me: Me) => ProbeJudgement {
  return (me) => {
    const values = read(me, field);
    if (values.includes(full)) return { ok: true, label: 'accepted with full text' };
    if (values.includes(truncated)) return { ok: false, label: `TRUNCATION: ${field} read as "${truncated}"` };
    return { ok: false, label: `UNEXPECTED ${field}: ${values.join(',')}` };
  };
}

interface ProbeSpec {
  name: string;
  field: Field;
  full: string;
  truncated: string;
  /** Response overrides that make the IdP sign `full`. */
  overrides: SamlResponseOverrides;
  /** Rewrites the text `full` into its tricky spelling (on the signed XML, or before signing). */
  trick: (xml: string) => string;
  when: 'after-signing' | 'before-signing';
}

function probe(spec: ProbeSpec): SecurityCase {
  return {
    name: `${spec.name} (${spec.when === 'after-signing' ? 'inserted after signing' : 'signed by the IdP'})`,
    kind: 'probe',
    class: 'parser',
    judge: fullText(spec.field, spec.full, spec.truncated),
    async run(ctx) {
      const overrides =
        spec.when === 'before-signing' ? { ...spec.overrides, beforeSigning: spec.trick } : spec.overrides;
      const xml = await ctx.responseXml('sp', overrides);
      const final = spec.when === 'after-signing' ? spec.trick(xml) : xml;
      if (final === xml && spec.when === 'after-signing') throw new Error('the trick changed nothing');
      return ctx.postXml('sp', final);
    },
  };
}

function textTrick(from: string, to: string): (xml: string) => string {
  return (xml) => {
    const next = xml.replace(`>${from}<`, `>${to}<`);
    if (next === xml) throw new Error(`"${from}" not found as element text`);
    return next;
  };
}

const noDbUser = { [REDSHIFT_DB_USER]: undefined };
const probeSpecs: Array<Omit<ProbeSpec, 'when'>> = [
  {
    name: 'comment inside NameID admin<!---->@corp',
    field: 'nameId',
    full: 'admin@corp',
    truncated: 'admin',
    overrides: { nameId: 'admin@corp' },
    trick: textTrick('admin@corp', 'admin<!---->@corp'),
  },
  {
    name: 'comment inside RoleSessionName (DbUser from it)',
    field: 'dbUser',
    full: 'admin.corp',
    truncated: 'admin',
    overrides: { extraAttributes: { ...noDbUser, [AWS_ROLE_SESSION_NAME]: 'admin.corp' } },
    trick: textTrick('admin.corp', 'admin<!---->.corp'),
  },
  {
    name: 'comment inside DbUser',
    field: 'dbUser',
    full: 'admin.corp',
    truncated: 'admin',
    overrides: { extraAttributes: { [REDSHIFT_DB_USER]: 'admin.corp' } },
    trick: textTrick('admin.corp', 'admin<!---->.corp'),
  },
  {
    name: 'comment inside a Role value (truncation would name a listed role)',
    field: 'role',
    full: `${TEST_ROLE_ARN}Evil`,
    truncated: TEST_ROLE_ARN,
    overrides: { extraAttributes: { [AWS_ROLE]: `${TEST_PRINCIPAL_ARN},${TEST_ROLE_ARN}Evil` } },
    trick: textTrick(`${TEST_PRINCIPAL_ARN},${TEST_ROLE_ARN}Evil`, `${TEST_PRINCIPAL_ARN},${TEST_ROLE_ARN}<!---->Evil`),
  },
  {
    name: 'comment inside DbGroups',
    field: 'dbGroups',
    full: 'analysts_admin',
    truncated: 'analysts',
    overrides: { extraAttributes: { [REDSHIFT_DB_GROUPS]: ['analysts_admin'] } },
    trick: textTrick('analysts_admin', 'analysts<!---->_admin'),
  },
  {
    name: 'CDATA section inside NameID',
    field: 'nameId',
    full: 'admin@corp',
    truncated: 'admin',
    overrides: { nameId: 'admin@corp' },
    trick: textTrick('admin@corp', '<![CDATA[admin]]>@corp'),
  },
  {
    name: 'character references inside NameID',
    field: 'nameId',
    full: 'admin@corp',
    truncated: 'dmin@corp',
    overrides: { nameId: 'admin@corp' },
    trick: textTrick('admin@corp', '&#97;dmin&#x40;corp'),
  },
  {
    name: 'predefined entity inside NameID a&amp;b@corp',
    field: 'nameId',
    full: 'a&b@corp',
    truncated: 'a',
    overrides: { nameId: 'a&b@corp' },
    trick: textTrick('a&amp;b@corp', 'a&amp;<!---->b@corp'),
  },
];

export const parserProbes: SecurityCase[] = probeSpecs.flatMap((spec) => [
  probe({ ...spec, when: 'after-signing' }),
  probe({ ...spec, when: 'before-signing' }),
]);
