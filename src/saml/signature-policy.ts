// Which XML-signature algorithms an IdP may use. node-saml (through xml-crypto) accepts RSA-SHA1
// and SHA-1 digests; SHA-1 collisions are practical, so they are refused unless the IdP entry
// explicitly allows them (old ADFS and Shibboleth setups still sign with SHA-1).
import { AssertionRejected } from '../errors.ts';

const SHA1_ALGORITHMS = new Set([
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#dsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
  'http://www.w3.org/2000/09/xmldsig#sha1',
]);

export function isSha1Algorithm(uri: string): boolean {
  return SHA1_ALGORITHMS.has(uri) || /(^|[#-])sha1$/i.test(uri);
}

export function checkSignatureAlgorithms(algorithms: readonly string[], allowSha1: boolean): void {
  if (allowSha1) return;
  const weak = algorithms.find(isSha1Algorithm);
  if (weak !== undefined) {
    throw new AssertionRejected({
      code: 'SAML_ALGORITHM_NOT_ALLOWED',
      publicMessage: `The response is signed with ${weak.replace(/^.*#/, '').toUpperCase()} (${weak}), which this connection does not accept. Configure the IdP to sign with RSA-SHA256, or set allowSha1Signatures on this IdP entry.`,
    });
  }
}
