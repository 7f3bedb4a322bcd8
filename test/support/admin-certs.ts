// Certificates and IdP metadata for admin console tests, made at test time: weak (1024-bit),
// expired, soon-to-expire, and a TLS server certificate for localhost. Nothing here is trusted
// by any configuration until a test puts it there.
import { generate } from 'selfsigned';

export interface GeneratedCert {
  privateKey: string;
  certificate: string;
}

const DAY = 86_400_000;

export async function generateCert(
  commonName: string,
  options: { keySize?: number; notBefore?: Date; notAfter?: Date; tlsHost?: boolean } = {},
): Promise<GeneratedCert> {
  const notBeforeDate = options.notBefore ?? new Date(Date.now() - DAY);
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'rsa',
    keySize: options.keySize ?? 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: options.notAfter ?? new Date(notBeforeDate.getTime() + 365 * DAY),
    extensions:
      options.tlsHost === true
        ? [
            { name: 'basicConstraints', cA: true },
            { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
            { name: 'extKeyUsage', serverAuth: true },
            {
              name: 'subjectAltName',
              altNames: [
                { type: 2, value: 'localhost' },
                { type: 7, ip: '127.0.0.1' },
              ],
            },
          ]
        : [
            { name: 'basicConstraints', cA: false },
            { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
          ],
  });
  return { privateKey: pems.private, certificate: pems.cert };
}

/** An expired certificate: valid from two years ago until yesterday. */
export function expiredCert(commonName: string): Promise<GeneratedCert> {
  return generateCert(commonName, {
    notBefore: new Date(Date.now() - 730 * DAY),
    notAfter: new Date(Date.now() - DAY),
  });
}

export interface MetadataKey {
  certificate: string;
  /** KeyDescriptor use; undefined leaves the attribute out (signing and encryption). */
  use?: 'signing' | 'encryption';
}

/** IdP metadata with an HTTP-Redirect SSO service and one KeyDescriptor per key. */
export function idpMetadataXml(entityId: string, ssoUrl: string, keys: MetadataKey[]): string {
  const descriptors = keys
    .map((k) => {
      const body = k.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
      return `<md:KeyDescriptor${k.use === undefined ? '' : ` use="${k.use}"`}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
    })
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">` +
    '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
    descriptors +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>` +
    '</md:IDPSSODescriptor></md:EntityDescriptor>\n'
  );
}
