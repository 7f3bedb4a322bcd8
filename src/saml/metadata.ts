// Reads an IdP's SAML metadata: entityID, the SSO URL and binding to send AuthnRequests to, and
// every signing certificate (several during a rollover). Checks what must be there; nothing else.
import { X509Certificate } from 'node:crypto';
import { NS, childElements, firstChild, parseXmlStrict, type XmlParseError } from './xml.ts';

export const BINDINGS = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  ssoBinding: string;
  sloUrl?: string;
  signingCerts: string[];
}

export class MetadataError extends Error {}

export function parseIdpMetadata(xml: string): IdpMetadata {
  let doc: Document;
  try {
    doc = parseXmlStrict(xml.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new MetadataError(`metadata is not well-formed XML: ${(err as XmlParseError).message}`);
  }
  const entity = findIdpEntity(doc.documentElement);
  if (entity === undefined) throw new MetadataError('metadata has no EntityDescriptor with an IDPSSODescriptor');
  const entityId = entity.descriptor.getAttribute('entityID') ?? '';
  if (entityId === '') throw new MetadataError('metadata has no entityID');

  const services = childElements(entity.idp, NS.metadata, 'SingleSignOnService').filter(
    (s) => (s.getAttribute('Location') ?? '') !== '',
  );
  const sso =
    services.find((s) => s.getAttribute('Binding') === BINDINGS.redirect) ??
    services.find((s) => s.getAttribute('Binding') === BINDINGS.post);
  const ssoUrl = sso?.getAttribute('Location') ?? '';
  if (sso === undefined || ssoUrl === '')
    throw new MetadataError('metadata has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding');

  const signingCerts = childElements(entity.idp, NS.metadata, 'KeyDescriptor')
    .filter((kd) => kd.getAttribute('use') !== 'encryption') // no `use` means both signing and encryption
    .flatMap((kd) => Array.from(kd.getElementsByTagNameNS(NS.dsig, 'X509Certificate')))
    .map((el) => derBase64ToPem(el.textContent ?? ''));
  if (signingCerts.length === 0) throw new MetadataError('metadata has no signing certificate');
  const slo = childElements(entity.idp, NS.metadata, 'SingleLogoutService').find(
    (s) => s.getAttribute('Binding') === BINDINGS.redirect,
  );
  const sloUrl = slo?.getAttribute('Location') || undefined;
  return {
    entityId,
    ssoUrl,
    ssoBinding: sso.getAttribute('Binding') ?? BINDINGS.redirect,
    sloUrl,
    signingCerts: [...new Set(signingCerts)],
  };
}

function findIdpEntity(root: Element): { descriptor: Element; idp: Element } | undefined {
  const candidates =
    root.localName === 'EntitiesDescriptor'
      ? Array.from(root.getElementsByTagNameNS(NS.metadata, 'EntityDescriptor'))
      : [root];
  for (const descriptor of candidates) {
    if (descriptor.namespaceURI !== NS.metadata || descriptor.localName !== 'EntityDescriptor') continue;
    const idp = firstChild(descriptor, NS.metadata, 'IDPSSODescriptor');
    if (idp !== undefined) return { descriptor, idp };
  }
  return undefined;
}

export function derBase64ToPem(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new MetadataError('a certificate in the metadata is not base64');
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
  assertCertificate(pem, 'a certificate in the metadata');
  return pem;
}

/** Throws MetadataError unless `pem` is one parseable X.509 certificate. */
export function assertCertificate(pem: string, what: string): void {
  try {
    new X509Certificate(pem);
  } catch {
    throw new MetadataError(`${what} is not a valid X.509 certificate`);
  }
}
