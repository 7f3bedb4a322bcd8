// Decrypts a SAML EncryptedAssertion with the private keys an IAM SAML provider holds (IAM's
// AddPrivateKey): RSA-OAEP key transport of an AES-CBC or AES-GCM content key; RSA 1.5 and 3DES
// are refused. Checking the signature of what comes out is saml-assertion.ts's job.
import { XMLSerializer } from '@xmldom/xmldom';
import { decrypt } from 'xml-encryption';

/**
 * The plaintext `<saml:Assertion>` XML inside `encryptedAssertion`, decrypted with the first of `keys`
 * that works; `undefined` when none does (wrong key, tampered ciphertext, unsupported algorithm).
 */
export async function decryptAssertionXml(
  encryptedAssertion: Element,
  keys: readonly string[],
): Promise<string | undefined> {
  const xml = new XMLSerializer().serializeToString(encryptedAssertion);
  for (const key of keys) {
    const plain = await new Promise<string | undefined>((resolve) => {
      // RSA 1.5 and 3DES are refused (insecure); a key that does not fit fails OAEP and we try the next.
      decrypt(
        xml,
        { key, disallowDecryptionWithInsecureAlgorithm: true, warnInsecureAlgorithm: false },
        (err, result) => resolve(err === null ? result : undefined),
      );
    });
    if (plain !== undefined) return plain;
  }
  return undefined;
}
