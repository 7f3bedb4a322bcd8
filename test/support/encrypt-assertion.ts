// Encrypts the (already signed) assertion of a SAML Response for the SP, as SimpleSAMLphp does:
// RSA-OAEP (mgf1p) key transport of an AES-128-CBC content key, the <Assertion> replaced by
// <saml:EncryptedAssertion><xenc:EncryptedData …>. Uses xml-encryption (node-saml's own
// dependency, which node-saml decrypts with). Encrypt after signing the assertion and before
// signing the Response, as IdPs do; a Response signature made earlier no longer matches.
import { createPublicKey } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { encrypt } from 'xml-encryption';

const SAML_ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';

export interface EncryptAssertionOptions {
  /** The recipient SP's certificate (PEM): its public key wraps the content key. */
  certificate: string;
  /**
   * xml-encryption writes `<DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>`
   * (the OAEP digest) inside the key's EncryptionMethod, as Shibboleth does; SimpleSAMLphp's
   * xmlseclibs writes none (SHA-1 is then implied by rsa-oaep-mgf1p). Default false: removed.
   */
  keepOaepDigestMethod?: boolean;
}

/** `responseXml` with its one Assertion replaced by an EncryptedAssertion. */
export async function encryptAssertionInResponse(
  responseXml: string,
  options: EncryptAssertionOptions,
): Promise<string> {
  const doc = new DOMParser().parseFromString(responseXml, 'text/xml');
  const assertion = Array.from(doc.documentElement.childNodes).find(
    (n): n is Element =>
      n.nodeType === 1 && (n as Element).namespaceURI === SAML_ASSERTION_NS && (n as Element).localName === 'Assertion',
  );
  if (assertion === undefined) throw new Error('the response has no Assertion to encrypt');
  const encryptedData = await encryptXml(new XMLSerializer().serializeToString(assertion), options);
  const wrapper = new DOMParser().parseFromString(
    `<saml:EncryptedAssertion xmlns:saml="${SAML_ASSERTION_NS}">${encryptedData}</saml:EncryptedAssertion>`,
    'text/xml',
  );
  doc.documentElement.replaceChild(doc.importNode(wrapper.documentElement, true), assertion);
  return new XMLSerializer().serializeToString(doc);
}

function encryptXml(xml: string, options: EncryptAssertionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    encrypt(
      xml,
      {
        rsa_pub: createPublicKey(options.certificate).export({ type: 'spki', format: 'pem' }),
        pem: options.certificate,
        encryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
        keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
      },
      (err, result) => {
        if (err) return reject(err);
        const trimmed = result.trim();
        resolve(options.keepOaepDigestMethod === true ? trimmed : trimmed.replace(/<DigestMethod\b[^>]*\/>/, ''));
      },
    );
  });
}
