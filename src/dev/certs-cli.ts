// `npm run dev:certs`: makes sure the development IdP and SP key pairs exist in certs/dev/ and
// prints where they are. Existing pairs are kept; see certs/README.md.
import { fileURLToPath } from 'node:url';
import { ensureKeyPair } from './dev-keys.ts';

// Resolved from this file, not the working directory, so it works from any folder.
const devCertsDir = fileURLToPath(new URL('../../certs/dev/', import.meta.url));

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
