// What an admin needs to judge an IdP signing certificate: subject, SHA-256 fingerprint,
// validity and key size; and the rules a certificate set must pass to be trusted.
import { X509Certificate } from 'node:crypto';

export interface CertificateInfo {
  pem: string;
  subject: string;
  fingerprint256: string;
  notBefore: Date;
  notAfter: Date;
  keyType: string;
  keyBits: number | undefined;
  expired: boolean;
  expiresWithinDays: number;
}

export const MIN_RSA_BITS = 2048;
export const EXPIRY_WARNING_DAYS = 30;

export function describeCertificate(pem: string, now: Date): CertificateInfo {
  const cert = new X509Certificate(pem);
  const details = cert.publicKey.asymmetricKeyDetails;
  const notAfter = new Date(cert.validTo);
  return {
    pem,
    subject: cert.subject.replace(/\n/g, ', '),
    fingerprint256: cert.fingerprint256,
    notBefore: new Date(cert.validFrom),
    notAfter,
    keyType: cert.publicKey.asymmetricKeyType ?? 'unknown',
    keyBits: details?.modulusLength,
    expired: notAfter.getTime() <= now.getTime(),
    expiresWithinDays: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000),
  };
}

/** Problems that make a certificate set untrustworthy, each naming the certificate. */
export function certificateSetProblems(certs: readonly CertificateInfo[]): string[] {
  if (certs.length === 0) return ['there is no signing certificate'];
  const problems = certs
    .filter((c) => c.keyType === 'rsa' && (c.keyBits ?? 0) < MIN_RSA_BITS)
    .map(
      (c) =>
        `certificate ${c.subject} (${c.fingerprint256}) has a ${c.keyBits ?? '?'}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`,
    );
  if (certs.every((c) => c.expired))
    problems.push(
      `every signing certificate has expired (latest: ${
        certs
          .map((c) => c.notAfter.toISOString())
          .sort()
          .pop() ?? ''
      })`,
    );
  return problems;
}
