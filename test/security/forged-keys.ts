// Keys an attacker can make without the IdP's private key: a self-signed certificate that copies
// the test IdP's subject, and a chain (a CA of the attacker's, or one named like the IdP) that the
// IdP never published. Generated once per run with the selfsigned package; never trusted by config.
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import type { SigningKey } from '../../src/dev/saml-response.ts';
import { fixtureKeys } from '../support/sign-response.ts';

export interface ForgedKeys {
  /** Self-signed, same subject CN as the IdP certificate. */
  lookalike: SigningKey;
  /** A leaf with the IdP's CN issued by the attacker's CA; `certificate` holds leaf then CA. */
  chain: SigningKey;
  /** A leaf issued by a CA whose subject copies the IdP certificate's; leaf then CA. */
  chainUnderIdpName: SigningKey;
}

const DAY = 86_400_000;
let forged: Promise<ForgedKeys> | undefined;

/** The IdP certificate's common name, read from the fixture (`redshift-sso test IdP`). */
export function idpCommonName(): string {
  const subject = new X509Certificate(fixtureKeys.idp.certificate).subject;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(subject)?.[1];
  if (cn === undefined) throw new Error(`the fixture IdP certificate has no CN: ${subject}`);
  return cn;
}

async function keyPair(
  commonName: string,
  options: { ca?: { key: string; cert: string }; isCa?: boolean } = {},
): Promise<{ private: string; cert: string }> {
  const now = new Date();
  return generate([{ name: 'commonName', value: commonName }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - DAY),
    notAfterDate: new Date(now.getTime() + 365 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: options.isCa ?? false },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: options.isCa ?? false, critical: true },
    ],
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
}

async function generateForged(): Promise<ForgedKeys> {
  const cn = idpCommonName();
  const [lookalike, ca, idpNamedCa] = await Promise.all([
    keyPair(cn),
    keyPair('Attacker Root CA', { isCa: true }),
    keyPair(cn, { isCa: true }),
  ]);
  const [leaf, leafUnderIdpName] = await Promise.all([
    keyPair(cn, { ca: { key: ca.private, cert: ca.cert } }),
    keyPair(cn, { ca: { key: idpNamedCa.private, cert: idpNamedCa.cert } }),
  ]);
  return {
    lookalike: { privateKey: lookalike.private, certificate: lookalike.cert },
    chain: { privateKey: leaf.private, certificate: `${leaf.cert.trim()}\n${ca.cert.trim()}\n` },
    chainUnderIdpName: {
      privateKey: leafUnderIdpName.private,
      certificate: `${leafUnderIdpName.cert.trim()}\n${idpNamedCa.cert.trim()}\n`,
    },
  };
}

export function forgedKeys(): Promise<ForgedKeys> {
  forged ??= generateForged();
  return forged;
}
