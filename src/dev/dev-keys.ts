// Self-signed RSA key pairs for local runs: generated once into certs/dev/ and reused after.
// Production keys are mounted by operators and named in config; nothing here reads them.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';
import type { SigningKey } from './saml-response.ts';

export interface KeyPairOptions {
  commonName?: string;
  /** Certificate validity in days; defaults to ten years (dev certs should not expire mid-demo). */
  days?: number;
}

const DAY = 86_400_000;

/** Loads `dir/name.key` and `dir/name.crt`, generating and writing both when neither exists. */
export async function ensureKeyPair(dir: string, name: string, options: KeyPairOptions = {}): Promise<SigningKey> {
  const keyPath = path.join(dir, `${name}.key`);
  const certPath = path.join(dir, `${name}.crt`);
  const [privateKey, certificate] = await Promise.all([readIfExists(keyPath), readIfExists(certPath)]);
  if (privateKey !== undefined && certificate !== undefined) return { privateKey, certificate };
  if (privateKey !== undefined || certificate !== undefined) {
    // Never overwrite half a pair: the surviving file may be one an IdP or SP already trusts.
    throw new Error(`incomplete key pair: expected both ${keyPath} and ${certPath}; delete the other to regenerate`);
  }
  const pair = await generateKeyPair(options.commonName ?? `redshift-sso dev ${name}`, options);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Write to temporary names, then rename: a reader never sees a truncated PEM. The key goes
  // last, so a crash in between leaves a lone certificate, which the check above reports.
  await writeAtomically(certPath, pair.certificate, 0o644);
  await writeAtomically(keyPath, pair.privateKey, 0o600);
  return pair;
}

/** An RSA-2048 key and a self-signed SHA-256 certificate, in memory only. */
export async function generateKeyPair(
  commonName: string,
  options: { days?: number; now?: Date } = {},
): Promise<SigningKey> {
  const notBeforeDate = options.now ?? new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + (options.days ?? 3650) * DAY);
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    // Explicit extensions: selfsigned's defaults add a DNS SubjectAltName equal to the common
    // name, which is not a host name here. These certs only carry a SAML signing key.
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    ],
  });
  return { privateKey: pems.private, certificate: pems.cert };
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isNodeError(error) && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeAtomically(file: string, contents: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, contents, { mode, flag: 'wx' });
  await rename(temporary, file);
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
