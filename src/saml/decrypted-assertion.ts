// Decrypts an EncryptedAssertion (already accepted by node-saml) to read what node-saml does not
// give back: the signature algorithms inside it, for the SHA-1 policy.
import { decrypt } from 'xml-encryption';
import { parseXmlStrict } from './xml.ts';
import { signedInfoAlgorithms } from './response-envelope.ts';

export async function decryptedSignatureAlgorithms(encryptedAssertionXml: string, privateKey: string): Promise<string[]> {
  const xml = await new Promise<string>((resolve, reject) => {
    decrypt(encryptedAssertionXml, { key: privateKey, disallowDecryptionWithInsecureAlgorithm: false }, (err, result) => (err === null ? resolve(result) : reject(err)));
  });
  return signedInfoAlgorithms(parseXmlStrict(xml));
}
