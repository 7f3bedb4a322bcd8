// `npm run dev:certs`: makes sure the development IdP and SP key pairs exist in certs/dev/ and
// prints where they are. Existing pairs are kept; see certs/README.md.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root.ts';
import { ensureKeyPair } from './dev-keys.ts';

// Resolved from the project root, not the working directory, so it works from any folder.
const devCertsDir = join(PROJECT_ROOT, 'certs', 'dev') + '/';

const pairs = [
  { name: 'idp', commonName: 'redshift-sso dev demo IdP' },
  { name: 'sp', commonName: 'redshift-sso dev SP' },
];

try {
  for (const { name, commonName } of pairs) {
    await ensureKeyPair(devCertsDir, name, { commonName });
    console.log(`${name}: ${devCertsDir}${name}.key ${devCertsDir}${name}.crt`);
  }
  console.log('development only: never register these certificates with a real IdP or AWS');
} catch (error) {
  console.error(`dev:certs failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
