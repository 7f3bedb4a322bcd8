// The AWS emulator's AssumeRoleWithSAML through the real AWS SDK: the role session it issues and
// its limits, and every assertion it refuses as STS does (tampered, untrusted, wrapped, unsigned,
// DOCTYPE, stale, an ungranted role, a bad RoleSessionName).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AssumeRoleWithSAMLCommand, STSClient, type AssumeRoleWithSAMLCommandInput } from '@aws-sdk/client-sts';
import {
  DEMO_PROVIDER_ARN,
  DEMO_ROLE_ARN,
  signedSamlResponse,
  signedSamlResponseXml,
} from '../../support/emulator-saml.ts';
import { assumeDemoRole, rejectsWith, demoEmulatorForSuite } from '../../support/emulator-sdk.ts';

describe('AWS emulator: AssumeRoleWithSAML', () => {
  const demo = demoEmulatorForSuite();

  const sts = () => new STSClient({ endpoint: demo.emulator.url, region: 'us-east-1' });
  const assume = (input: Partial<AssumeRoleWithSAMLCommandInput> = {}) =>
    assumeDemoRole(demo.key, input, { endpoint: demo.emulator.url });

  it('issues a role session for a signed assertion to a client with no AWS credentials', async () => {
    const before = Date.now();
    const output = await sts().send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: DEMO_ROLE_ARN,
        PrincipalArn: DEMO_PROVIDER_ARN,
        SAMLAssertion: signedSamlResponse({
          key: demo.key,
          nameId: 'alice@example.test',
          recipient: 'https://sso.example.test/saml/acs',
        }),
        DurationSeconds: 1800,
      }),
    );
    assert.match(output.Credentials?.AccessKeyId ?? '', /^ASIA[A-Z0-9]{16}$/);
    const expiresIn = (output.Credentials?.Expiration?.getTime() ?? 0) - before;
    assert.ok(expiresIn > 1790_000 && expiresIn < 1810_000, `session lasts DurationSeconds, got ${expiresIn} ms`);
    assert.equal(output.AssumedRoleUser?.Arn, 'arn:aws:sts::123456789012:assumed-role/Analyst/alice');
    assert.match(output.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z0-9]+:alice$/);
    assert.equal(output.Subject, 'alice@example.test');
    assert.equal(output.SubjectType, 'persistent');
    assert.equal(output.Issuer, 'https://idp.example.test/metadata');
    assert.equal(output.Audience, 'https://sso.example.test/saml/acs');
    assert.ok(output.NameQualifier);
  });

  it('accepts the Role value with the provider first and spaces around the comma', async () => {
    const credentials = await assume({
      SAMLAssertion: signedSamlResponse({ key: demo.key, roles: [` ${DEMO_PROVIDER_ARN} , ${DEMO_ROLE_ARN} `] }),
    });
    assert.match(credentials.accessKeyId, /^ASIA/);
  });

  it('caps the session at SessionNotOnOrAfter', async () => {
    const cap = new Date(Date.now() + 20 * 60 * 1000);
    const output = await sts().send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: DEMO_ROLE_ARN,
        PrincipalArn: DEMO_PROVIDER_ARN,
        SAMLAssertion: signedSamlResponse({ key: demo.key, sessionNotOnOrAfter: cap }),
      }),
    );
    assert.equal(output.Credentials?.Expiration?.getTime(), cap.getTime());
  });

  it('accepts a response signed at the Response instead of the Assertion', async () => {
    const credentials = await assume({ SAMLAssertion: signedSamlResponse({ key: demo.key, signAt: 'response' }) });
    assert.match(credentials.accessKeyId, /^ASIA/);
  });

  it('refuses an assertion changed after signing', async () => {
    const xml = signedSamlResponseXml({ key: demo.key, roleSessionName: 'alice' });
    const tampered = xml.replace('>alice</saml:AttributeValue>', '>mallory</saml:AttributeValue>');
    assert.notEqual(tampered, xml);
    const SAMLAssertion = Buffer.from(tampered).toString('base64');
    await rejectsWith(assume({ SAMLAssertion }), 'InvalidIdentityTokenException', 400);
  });

  it('refuses an assertion signed by a key the provider does not trust', async () => {
    await rejectsWith(
      assume({ SAMLAssertion: signedSamlResponse({ key: demo.otherKey }) }),
      'InvalidIdentityTokenException',
      400,
    );
  });

  it('refuses a forged assertion placed beside a signed copy (signature wrapping)', async () => {
    const xml = signedSamlResponseXml({ key: demo.key, roleSessionName: 'alice' });
    const signedAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)?.[0] ?? '';
    const forged = signedAssertion
      .replace('>alice</saml:AttributeValue>', '>mallory</saml:AttributeValue>')
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    const wrapped = xml
      .replace(signedAssertion, forged)
      .replace('<samlp:Status>', `<samlp:Extensions>${signedAssertion}</samlp:Extensions><samlp:Status>`);
    await rejectsWith(
      assume({ SAMLAssertion: Buffer.from(wrapped).toString('base64') }),
      'InvalidIdentityTokenException',
      400,
    );
  });

  it('refuses an unsigned response', async () => {
    const xml = signedSamlResponseXml({ key: demo.key }).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    await rejectsWith(
      assume({ SAMLAssertion: Buffer.from(xml).toString('base64') }),
      'InvalidIdentityTokenException',
      400,
    );
  });

  it('refuses a response with a DOCTYPE', async () => {
    const xml = `<!DOCTYPE x [<!ENTITY e "e">]>${signedSamlResponseXml({ key: demo.key })}`;
    await rejectsWith(
      assume({ SAMLAssertion: Buffer.from(xml).toString('base64') }),
      'InvalidIdentityTokenException',
      400,
    );
  });

  it('refuses an unknown SAML provider', async () => {
    const PrincipalArn = 'arn:aws:iam::123456789012:saml-provider/Other';
    await rejectsWith(assume({ PrincipalArn }), 'InvalidIdentityTokenException', 400);
  });

  it('refuses a role the assertion does not grant', async () => {
    await rejectsWith(assume({ RoleArn: 'arn:aws:iam::123456789012:role/Admin' }), 'AccessDenied', 403);
  });

  it('refuses a RoleSessionName AWS would not accept', async () => {
    await rejectsWith(
      assume({ SAMLAssertion: signedSamlResponse({ key: demo.key, roleSessionName: 'alice smith' }) }),
      'InvalidIdentityTokenException',
      400,
    );
  });

  it('refuses an assertion issued more than 5 minutes ago', async () => {
    const issueInstant = new Date(Date.now() - 6 * 60 * 1000);
    const notOnOrAfter = new Date(Date.now() + 60 * 1000);
    await rejectsWith(
      assume({ SAMLAssertion: signedSamlResponse({ key: demo.key, issueInstant, notOnOrAfter }) }),
      'ExpiredTokenException',
      400,
    );
  });

  it('refuses DurationSeconds above the role maximum', async () => {
    await rejectsWith(assume({ DurationSeconds: 7201 }), 'ValidationError', 400);
    const other = { RoleArn: 'arn:aws:iam::123456789012:role/Other', DurationSeconds: 3601 };
    const SAMLAssertion = signedSamlResponse({ key: demo.key, roles: [`${other.RoleArn},${DEMO_PROVIDER_ARN}`] });
    await rejectsWith(assume({ ...other, SAMLAssertion }), 'ValidationError', 400);
  });
});
