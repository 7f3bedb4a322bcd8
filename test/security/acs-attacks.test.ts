// The attack corpus (issue 4): every case posts to the real ACS (or SLO) of a real service and is
// judged by runCase: attacks must be refused with their code, with no session, no identity and no
// STS AssumeRoleWithSAML; probes may be accepted only with a safe reading; controls must sign in.
// The after hook prints one table of every case and the summary lines.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable, runCase, type AttackApps, type CaseResult, type SecurityCase } from './attack-runner.ts';
import { startSecurityApp } from './security-harness.ts';
import { controlCases } from './corpus-controls.ts';
import { xswCases } from './corpus-xsw.ts';
import { signatureCases } from './corpus-signature.ts';
import { parserAttacks } from './corpus-parser.ts';
import { parserProbes } from './corpus-parser-probes.ts';
import { protocolCases } from './corpus-protocol.ts';
import { attributeCases } from './corpus-attributes.ts';
import { strictCases } from './corpus-strict.ts';

const SHARED_PUBLIC_URL = 'http://redshift-sso.lb.test';

const corpus: SecurityCase[] = [
  ...controlCases,
  ...xswCases,
  ...signatureCases,
  ...parserProbes,
  ...parserAttacks,
  ...protocolCases,
  ...attributeCases,
  ...strictCases,
];

describe('attack corpus against POST /saml/acs/:idp', () => {
  let apps: AttackApps | undefined;
  let dir = '';
  const results: CaseResult[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redshift-sso-security-'));
    const shared = {
      storeUrl: `sqlite:${join(dir, 'shared.db')}`,
      publicBaseUrl: SHARED_PUBLIC_URL,
      idp: { allowIdpInitiated: true },
    };
    apps = {
      sp: await startSecurityApp({ name: 'sp', decryption: true }),
      idpInit: await startSecurityApp({ name: 'idpInit', ...shared }),
      peer: await startSecurityApp({ name: 'peer', ...shared }),
      respOnly: await startSecurityApp({
        name: 'respOnly',
        idp: { wantAssertionsSigned: false, wantResponseSigned: true },
      }),
    };
  });

  after(async () => {
    console.log(`\n${formatTable(results)}\n`);
    const count = (kind: SecurityCase['kind'], ok: (r: CaseResult) => boolean) => {
      const of = results.filter((r) => r.kind === kind);
      return [of.filter(ok).length, of.length] as const;
    };
    const [controlsOk, controls] = count('control', (r) => r.passed);
    const [probesOk, probes] = count('probe', (r) => r.passed);
    const [refused, attacks] = count('attack', (r) => r.refused);
    console.log(`${controlsOk} of ${controls} controls accepted`);
    console.log(`${probesOk} of ${probes} probes safe (refused, or accepted reading the full signed value)`);
    console.log(`${refused} refused of ${attacks} attacks`);
    await Promise.all(Object.values(apps ?? {}).map((a) => a.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  for (const c of corpus) {
    it(`${c.kind} [${c.class}] ${c.name}`, async () => {
      assert.ok(apps !== undefined, 'the apps started');
      const result = await runCase(c, apps);
      results.push(result);
      assert.ok(
        result.passed,
        `${result.verdict}: expected ${result.expected}, got ${result.actual}${result.problems.length > 0 ? `; ${result.problems.join('; ')}` : ''}`,
      );
    });
  }
});
