// Decrypts an EncryptedAssertion ourselves, before node-saml does, so that what it hides is
// checked as early as the rest of the response: no XInclude, and the signature algorithms inside
// it (node-saml gives back the assertion without its signature) for the SHA-1 policy.
import { decrypt } from 'xml-encryption';
import { AssertionRejected } from '../errors.ts';
import { parseXmlStrict, XmlParseError } from './xml.ts';
import { refuseXInclude, signedInfoAlgorithms } from './response-envelope.ts';
import { toAssertionRejected } from './errors.ts';

/** The signature algorithms inside the decrypted assertion; throws on XInclude or a decryption failure. */
export async function checkDecryptedAssertion(encryptedAssertionXml: string, privateKey: string): Promise<string[]> {
  let xml: string;
  try {
    xml = await new Promise<string>((resolve, reject) => {
      decrypt(
        encryptedAssertionXml,
        { key: privateKey, disallowDecryptionWithInsecureAlgorithm: false },
        (err, result) => (err === null ? resolve(result) : reject(err)),
      );
    });
  } catch (err) {
    // The same library and messages as node-saml's own decryption, so the same codes.
    throw toAssertionRejected(err);
  }
  let doc: Document;
  try {
    doc = parseXmlStrict(xml);
  } catch (err) {
    if (!(err instanceof XmlParseError)) throw err;
    throw new AssertionRejected({
      code: 'SAML_MALFORMED',
      status: 400,
      publicMessage: 'The encrypted assertion is not well-formed XML (DOCTYPE declarations are refused).',
      cause: err,
    });
  }
  refuseXInclude(doc);
  return signedInfoAlgorithms(doc);
}
