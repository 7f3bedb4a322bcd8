// The AWS emulator's STS with encrypted assertions, as IAM does once a SAML provider holds private keys
// (AddPrivateKey, AssertionEncryptionMode): it decrypts the EncryptedAssertion (RSA-OAEP + AES-128-CBC,
// as SimpleSAMLphp sends it), then trusts it only if the decrypted Assertion or the Response is signed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AssumeRoleWithSAMLCommand, STSClient } from '@aws-sdk/client-sts';
import { startAwsEmulator, type AwsEmulator } from '../../../src/dev/aws-emulator.ts';
import {
  DEMO_ROLE_ARN,
  signEnveloped,
  signedSamlResponseXml,
  type SamlSigningKey,
} from '../../support/emulator-saml.ts';
import { encryptAssertionInResponse } from '../../support/encrypt-assertion.ts';
import { fixtureKeys } from '../../support/sign-response.ts';

const REGION = 'us-east-1';
const provider = (name: string): string => `arn:aws:iam::123456789012:saml-provider/${name}`;
/** Holds the SP's private key, as after `aws iam update-saml-provider --add-private-key`. */
const ENCRYPTING = provider('Encrypting');
/** Holds an old key and the SP's current one (a key rollover). */
const ROTATING = provider('Rotating');
/** Holds no private key: encrypted assertions are refused. */
const CLEARTEXT = provider('Cleartext');
/** AssertionEncryptionMode Required. */
const REQUIRED = provider('Required');

const idpKey: SamlSigningKey = { privateKey: fixtureKeys.idp.privateKey, cert: fixtureKeys.idp.certificate };
const attackerKey: SamlSigningKey = {
  privateKey: fixtureKeys.attacker.privateKey,
  cert: fixtureKeys.attacker.certificate,
};

type SignAt = 'assertion' | 'response' | 'none';

interface EncryptedOptions {
  principalArn: string;
  /** Which element is signed: the Assertion before encryption, the Response after it, or neither. */
  signAt?: SignAt;
  key?: SamlSigningKey;
  /** Whose certificate the content key is encrypted to; default the SP's. */
  encryptTo?: string;
  roleSessionName?: string;
  /** Changes the signed assertion XML before it is encrypted. */
  tamper?: (xml: string) => string;
}

function withoutSignature(xml: string): string {
  return xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
}

/** The Response signed after encryption, as an IdP does. */
function signResponse(xml: string, key: SamlSigningKey): string {
  return signEnveloped(xml, key, `/*[local-name(.)='Response']`);
}

async function encryptedResponseXml(options: EncryptedOptions): Promise<string> {
  const signAt = options.signAt ?? 'assertion';
  const key = options.key ?? idpKey;
  const roles = [`${DEMO_ROLE_ARN},${options.principalArn}`];
  const built = signedSamlResponseXml({ key, roles, roleSessionName: options.roleSessionName ?? 'alice' });
  const plain = (options.tamper ?? ((xml: string) => xml))(signAt === 'assertion' ? built : withoutSignature(built));
  const encrypted = await encryptAssertionInResponse(plain, {
    certificate: options.encryptTo ?? fixtureKeys.sp.certificate,
  });
  return signAt === 'response' ? signResponse(encrypted, key) : encrypted;
}

const base64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');

describe('AWS emulator: AssumeRoleWithSAML with encrypted assertions', () => {
  let emulator: AwsEmulator;

  before(async () => {
    const certs = [fixtureKeys.idp.certificate];
    emulator = await startAwsEmulator({
      samlProviders: [
        { arn: ENCRYPTING, certs, decryptionKeys: [fixtureKeys.sp.privateKey] },
        { arn: ROTATING, certs, decryptionKeys: [fixtureKeys.attacker.privateKey, fixtureKeys.sp.privateKey] },
        { arn: CLEARTEXT, certs },
        { arn: REQUIRED, certs, decryptionKeys: [fixtureKeys.sp.privateKey], assertionEncryptionMode: 'Required' },
      ],
      clusters: [],
    });
  });

  after(async () => {
    await emulator.close();
  });

  function assume(principalArn: string, xml: string) {
    return new STSClient({ endpoint: emulator.url, region: REGION }).send(
      new AssumeRoleWithSAMLCommand({ RoleArn: DEMO_ROLE_ARN, PrincipalArn: principalArn, SAMLAssertion: base64(xml) }),
    );
  }

  async function refused(principalArn: string, xml: string): Promise<void> {
    await assert.rejects(assume(principalArn, xml), (error: unknown) => {
      const { name, $metadata } = error as { name: string; $metadata?: { httpStatusCode?: number } };
      assert.equal(name, 'InvalidIdentityTokenException');
      assert.equal($metadata?.httpStatusCode, 400);
      return true;
    });
  }

  it('really sends an EncryptedAssertion and no Assertion in the clear', async () => {
    const xml = await encryptedResponseXml({ principalArn: ENCRYPTING });
    assert.match(xml, /<saml:EncryptedAssertion\b[^>]*><xenc:EncryptedData\b/);
    assert.match(xml, /Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#rsa-oaep-mgf1p"/);
    assert.match(xml, /Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#aes128-cbc"/);
    assert.doesNotMatch(xml, /<saml:Assertion\b/);
  });

  it("decrypts with the provider's private key and accepts the signed assertion inside", async () => {
    const output = await assume(ENCRYPTING, await encryptedResponseXml({ principalArn: ENCRYPTING }));
    assert.match(output.Credentials?.AccessKeyId ?? '', /^ASIA/);
    assert.equal(output.Subject, 'alice@example.test', 'fields come from the decrypted assertion');
    assert.equal(output.AssumedRoleUser?.Arn, 'arn:aws:sts::123456789012:assumed-role/Analyst/alice');
  });

  it('tries each private key the provider holds (SP key rollover)', async () => {
    const output = await assume(ROTATING, await encryptedResponseXml({ principalArn: ROTATING }));
    assert.match(output.Credentials?.AccessKeyId ?? '', /^ASIA/);
  });

  it('accepts an unsigned decrypted assertion when the Response around the ciphertext is signed', async () => {
    const xml = await encryptedResponseXml({ principalArn: ENCRYPTING, signAt: 'response' });
    assert.equal(xml.match(/<ds:Signature\b/g)?.length, 1, 'only the Response is signed');
    const output = await assume(ENCRYPTING, xml);
    assert.match(output.Credentials?.AccessKeyId ?? '', /^ASIA/);
  });

  it('still refuses an encrypted assertion when the provider holds no private key', async () => {
    await refused(CLEARTEXT, await encryptedResponseXml({ principalArn: CLEARTEXT }));
    assert.equal(emulator.calls.at(-1)?.errorCode, 'InvalidIdentityToken');
  });

  it('refuses an assertion encrypted to a key the provider does not hold', async () => {
    await refused(
      ENCRYPTING,
      await encryptedResponseXml({ principalArn: ENCRYPTING, encryptTo: fixtureKeys.attacker.certificate }),
    );
  });

  it('refuses a decrypted assertion signed by a key the provider does not trust', async () => {
    await refused(ENCRYPTING, await encryptedResponseXml({ principalArn: ENCRYPTING, key: attackerKey }));
  });

  it('refuses a decrypted assertion changed after signing', async () => {
    const tamper = (xml: string): string =>
      xml.replace('>alice</saml:AttributeValue>', '>mallory</saml:AttributeValue>');
    await refused(ENCRYPTING, await encryptedResponseXml({ principalArn: ENCRYPTING, tamper }));
  });

  it('refuses an encrypted assertion when neither it nor the Response is signed', async () => {
    await refused(ENCRYPTING, await encryptedResponseXml({ principalArn: ENCRYPTING, signAt: 'none' }));
  });

  it('refuses a signed Response whose EncryptedAssertion was swapped for another', async () => {
    const signed = await encryptedResponseXml({ principalArn: ENCRYPTING, signAt: 'response' });
    const other = await encryptedResponseXml({ principalArn: ENCRYPTING, signAt: 'none', roleSessionName: 'mallory' });
    const pick = (xml: string): string =>
      /<saml:EncryptedAssertion[\s\S]*<\/saml:EncryptedAssertion>/.exec(xml)?.[0] ?? '';
    const swapped = signed.replace(pick(signed), pick(other));
    assert.notEqual(swapped, signed);
    await refused(ENCRYPTING, swapped);
  });

  it('with AssertionEncryptionMode Required, refuses an assertion in the clear and accepts an encrypted one', async () => {
    await refused(REQUIRED, signedSamlResponseXml({ key: idpKey, roles: [`${DEMO_ROLE_ARN},${REQUIRED}`] }));
    const output = await assume(REQUIRED, await encryptedResponseXml({ principalArn: REQUIRED }));
    assert.match(output.Credentials?.AccessKeyId ?? '', /^ASIA/);
  });
});
