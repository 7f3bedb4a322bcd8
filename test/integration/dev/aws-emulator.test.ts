import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AssumeRoleWithSAMLCommand, STSClient, type AssumeRoleWithSAMLCommandInput } from '@aws-sdk/client-sts';
import { DescribeClustersCommand, GetClusterCredentialsCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import {
  GetCredentialsCommand,
  GetWorkgroupCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import { Writable } from 'node:stream';
import { startAwsEmulator, type AwsEmulator, type AwsEmulatorOptions } from '../../../src/dev/aws-emulator.ts';
import { createLogger } from '../../../src/logger.ts';
import {
  DEMO_PROVIDER_ARN,
  DEMO_ROLE_ARN,
  generateSigningKey,
  signedSamlResponse,
  signedSamlResponseXml,
  type SamlSigningKey,
} from '../../support/emulator-saml.ts';

const REGION = 'us-east-1';

interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Asserts that the SDK call failed with this exception name and HTTP status. */
async function rejectsWith(promise: Promise<unknown>, name: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    const { name: actual, $metadata } = error as { name: string; $metadata?: { httpStatusCode?: number } };
    assert.equal(actual, name);
    assert.equal($metadata?.httpStatusCode, status);
    return true;
  });
}

describe('AWS emulator', () => {
  let key: SamlSigningKey;
  let otherKey: SamlSigningKey;
  let emulator: AwsEmulator;
  let baseOptions: AwsEmulatorOptions;
  const logLines: string[] = [];

  before(async () => {
    [key, otherKey] = await Promise.all([generateSigningKey(), generateSigningKey()]);
    baseOptions = {
      samlProviders: [{ arn: DEMO_PROVIDER_ARN, certs: [key.cert] }],
      clusters: [{ clusterIdentifier: 'demo-cluster', host: 'demo-cluster.example.test', port: 5439 }],
      workgroups: [{ workgroupName: 'demo-wg', host: 'demo-wg.example.test', port: 5440 }],
      roleMaxSessionDuration: { [DEMO_ROLE_ARN]: 7200 },
    };
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    emulator = await startAwsEmulator({ ...baseOptions, logger: createLogger({ level: 'debug' }, sink) });
  });

  after(async () => {
    await emulator.close();
  });

  function sts(url = emulator.url): STSClient {
    return new STSClient({ endpoint: url, region: REGION });
  }

  async function assume(
    input: Partial<AssumeRoleWithSAMLCommandInput> = {},
    url = emulator.url,
  ): Promise<SessionCredentials> {
    const output = await sts(url).send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: DEMO_ROLE_ARN,
        PrincipalArn: DEMO_PROVIDER_ARN,
        SAMLAssertion: signedSamlResponse({ key }),
        ...input,
      }),
    );
    const { AccessKeyId, SecretAccessKey, SessionToken } = output.Credentials ?? {};
    assert.ok(AccessKeyId && SecretAccessKey && SessionToken);
    return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken };
  }

  describe('AssumeRoleWithSAML', () => {
    it('issues a role session for a signed assertion to a client with no AWS credentials', async () => {
      const before = Date.now();
      const output = await sts().send(
        new AssumeRoleWithSAMLCommand({
          RoleArn: DEMO_ROLE_ARN,
          PrincipalArn: DEMO_PROVIDER_ARN,
          SAMLAssertion: signedSamlResponse({
            key,
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
        SAMLAssertion: signedSamlResponse({ key, roles: [` ${DEMO_PROVIDER_ARN} , ${DEMO_ROLE_ARN} `] }),
      });
      assert.match(credentials.accessKeyId, /^ASIA/);
    });

    it('caps the session at SessionNotOnOrAfter', async () => {
      const cap = new Date(Date.now() + 20 * 60 * 1000);
      const output = await sts().send(
        new AssumeRoleWithSAMLCommand({
          RoleArn: DEMO_ROLE_ARN,
          PrincipalArn: DEMO_PROVIDER_ARN,
          SAMLAssertion: signedSamlResponse({ key, sessionNotOnOrAfter: cap }),
        }),
      );
      assert.equal(output.Credentials?.Expiration?.getTime(), cap.getTime());
    });

    it('accepts a response signed at the Response instead of the Assertion', async () => {
      const credentials = await assume({ SAMLAssertion: signedSamlResponse({ key, signAt: 'response' }) });
      assert.match(credentials.accessKeyId, /^ASIA/);
    });

    it('refuses an assertion changed after signing', async () => {
      const xml = signedSamlResponseXml({ key, roleSessionName: 'alice' });
      const tampered = xml.replace('>alice</saml:AttributeValue>', '>mallory</saml:AttributeValue>');
      assert.notEqual(tampered, xml);
      const SAMLAssertion = Buffer.from(tampered).toString('base64');
      await rejectsWith(assume({ SAMLAssertion }), 'InvalidIdentityTokenException', 400);
    });

    it('refuses an assertion signed by a key the provider does not trust', async () => {
      await rejectsWith(
        assume({ SAMLAssertion: signedSamlResponse({ key: otherKey }) }),
        'InvalidIdentityTokenException',
        400,
      );
    });

    it('refuses a forged assertion placed beside a signed copy (signature wrapping)', async () => {
      const xml = signedSamlResponseXml({ key, roleSessionName: 'alice' });
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
      const xml = signedSamlResponseXml({ key }).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
      await rejectsWith(
        assume({ SAMLAssertion: Buffer.from(xml).toString('base64') }),
        'InvalidIdentityTokenException',
        400,
      );
    });

    it('refuses a response with a DOCTYPE', async () => {
      const xml = `<!DOCTYPE x [<!ENTITY e "e">]>${signedSamlResponseXml({ key })}`;
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
        assume({ SAMLAssertion: signedSamlResponse({ key, roleSessionName: 'alice smith' }) }),
        'InvalidIdentityTokenException',
        400,
      );
    });

    it('refuses an assertion issued more than 5 minutes ago', async () => {
      const issueInstant = new Date(Date.now() - 6 * 60 * 1000);
      const notOnOrAfter = new Date(Date.now() + 60 * 1000);
      await rejectsWith(
        assume({ SAMLAssertion: signedSamlResponse({ key, issueInstant, notOnOrAfter }) }),
        'ExpiredTokenException',
        400,
      );
    });

    it('refuses DurationSeconds above the role maximum', async () => {
      await rejectsWith(assume({ DurationSeconds: 7201 }), 'ValidationError', 400);
      const other = { RoleArn: 'arn:aws:iam::123456789012:role/Other', DurationSeconds: 3601 };
      const SAMLAssertion = signedSamlResponse({ key, roles: [`${other.RoleArn},${DEMO_PROVIDER_ARN}`] });
      await rejectsWith(assume({ ...other, SAMLAssertion }), 'ValidationError', 400);
    });
  });

  describe('Redshift', () => {
    it('issues cluster credentials to the STS session and describes the cluster', async () => {
      const redshift = new RedshiftClient({ endpoint: emulator.url, region: REGION, credentials: await assume() });
      const before = Date.now();
      const issued = await redshift.send(
        new GetClusterCredentialsCommand({
          ClusterIdentifier: 'demo-cluster',
          DbUser: 'alice',
          DbName: 'dev',
          DbGroups: ['analysts'],
        }),
      );
      assert.equal(issued.DbUser, 'IAM:alice');
      for (const special of ['/', '+', '='])
        assert.ok(issued.DbPassword?.includes(special), `password contains ${special}`);
      const expiresIn = (issued.Expiration?.getTime() ?? 0) - before;
      assert.ok(expiresIn > 895_000 && expiresIn < 905_000, `default duration is 900 s, got ${expiresIn} ms`);

      const autoCreated = await redshift.send(
        new GetClusterCredentialsCommand({
          ClusterIdentifier: 'demo-cluster',
          DbUser: 'alice',
          AutoCreate: true,
          DurationSeconds: 3600,
        }),
      );
      assert.equal(autoCreated.DbUser, 'IAMA:alice');

      const described = await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'demo-cluster' }));
      assert.equal(described.Clusters?.length, 1);
      assert.equal(described.Clusters?.[0]?.ClusterStatus, 'available');
      assert.deepEqual(described.Clusters?.[0]?.Endpoint, { Address: 'demo-cluster.example.test', Port: 5439 });

      const call = emulator.calls.find((c) => c.action === 'GetClusterCredentials' && c.params.DbName === 'dev');
      assert.deepEqual(call?.params.DbGroups, ['analysts']);
    });

    it('reports an unknown cluster as ClusterNotFoundFault', async () => {
      const redshift = new RedshiftClient({ endpoint: emulator.url, region: REGION, credentials: await assume() });
      await rejectsWith(
        redshift.send(new GetClusterCredentialsCommand({ ClusterIdentifier: 'nope', DbUser: 'alice' })),
        'ClusterNotFoundFault',
        404,
      );
      await rejectsWith(
        redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'Demo-Cluster' })),
        'ClusterNotFoundFault',
        404,
      );
    });

    it('refuses DbUser, DbGroups and DurationSeconds that Redshift would refuse', async () => {
      const redshift = new RedshiftClient({ endpoint: emulator.url, region: REGION, credentials: await assume() });
      const base = { ClusterIdentifier: 'demo-cluster', DbUser: 'alice' };
      for (const input of [
        { ...base, DbUser: 'IAM:alice' },
        { ...base, DbUser: '1alice' },
        { ...base, DbUser: 'public' },
        { ...base, DbGroups: ['Analysts'] },
        { ...base, DurationSeconds: 600 },
        { ...base, DurationSeconds: 3601 },
      ]) {
        await rejectsWith(redshift.send(new GetClusterCredentialsCommand(input)), 'InvalidParameterValue', 400);
      }
    });

    it('refuses calls signed with a made-up key or the wrong secret', async () => {
      const madeUp = { accessKeyId: 'ASIAMADEUPMADEUPMADE', secretAccessKey: 'x'.repeat(40), sessionToken: 'token' };
      const stranger = new RedshiftClient({ endpoint: emulator.url, region: REGION, credentials: madeUp });
      await rejectsWith(stranger.send(new DescribeClustersCommand({})), 'InvalidClientTokenId', 403);

      const real = await assume();
      const wrongSecret = new RedshiftClient({
        endpoint: emulator.url,
        region: REGION,
        credentials: { ...real, secretAccessKey: madeUp.secretAccessKey },
      });
      await rejectsWith(wrongSecret.send(new DescribeClustersCommand({})), 'SignatureDoesNotMatch', 403);

      const wrongToken = new RedshiftClient({
        endpoint: emulator.url,
        region: REGION,
        credentials: { ...real, sessionToken: 'other' },
      });
      await rejectsWith(wrongToken.send(new DescribeClustersCommand({})), 'InvalidClientTokenId', 403);

      const serverless = new RedshiftServerlessClient({ endpoint: emulator.url, region: REGION, credentials: madeUp });
      await rejectsWith(
        serverless.send(new GetWorkgroupCommand({ workgroupName: 'demo-wg' })),
        'UnrecognizedClientException',
        403,
      );
    });

    it('refuses calls from an expired session', async () => {
      let clock = new Date();
      const clocked = await startAwsEmulator({ ...baseOptions, now: () => clock });
      try {
        const credentials = await assume({ DurationSeconds: 900 }, clocked.url);
        const redshift = new RedshiftClient({ endpoint: clocked.url, region: REGION, credentials });
        await redshift.send(new DescribeClustersCommand({}));
        clock = new Date(clock.getTime() + 901_000);
        await rejectsWith(redshift.send(new DescribeClustersCommand({})), 'ExpiredToken', 403);
      } finally {
        await clocked.close();
      }
    });
  });

  describe('Redshift Serverless', () => {
    it('issues IAMR credentials for the role and describes the workgroup', async () => {
      const serverless = new RedshiftServerlessClient({
        endpoint: emulator.url,
        region: REGION,
        credentials: await assume(),
      });
      const before = Date.now();
      const issued = await serverless.send(
        new GetCredentialsCommand({ workgroupName: 'demo-wg', dbName: 'dev', durationSeconds: 1200 }),
      );
      assert.equal(issued.dbUser, 'IAMR:Analyst');
      assert.ok(issued.dbPassword);
      assert.ok(issued.expiration instanceof Date);
      const expiresIn = issued.expiration.getTime() - before;
      assert.ok(
        expiresIn > 1195_000 && expiresIn < 1205_000,
        `expiration follows durationSeconds, got ${expiresIn} ms`,
      );

      const { workgroup } = await serverless.send(new GetWorkgroupCommand({ workgroupName: 'demo-wg' }));
      assert.equal(workgroup?.workgroupName, 'demo-wg');
      assert.equal(workgroup?.endpoint?.address, 'demo-wg.example.test');
      assert.equal(workgroup?.endpoint?.port, 5440);

      await rejectsWith(
        serverless.send(new GetWorkgroupCommand({ workgroupName: 'missing-wg' })),
        'ResourceNotFoundException',
        400,
      );
      await rejectsWith(
        serverless.send(new GetCredentialsCommand({ workgroupName: 'missing-wg' })),
        'ResourceNotFoundException',
        400,
      );
    });
  });

  it('is reached through AWS_ENDPOINT_URL_* environment variables', async () => {
    const names = [
      'AWS_ENDPOINT_URL_STS',
      'AWS_ENDPOINT_URL_REDSHIFT',
      'AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS',
      'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
    ];
    const saved = new Map(names.map((name) => [name, process.env[name]]));
    try {
      delete process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS;
      for (const name of names.slice(0, 3)) process.env[name] = emulator.url;
      const output = await new STSClient({ region: REGION }).send(
        new AssumeRoleWithSAMLCommand({
          RoleArn: DEMO_ROLE_ARN,
          PrincipalArn: DEMO_PROVIDER_ARN,
          SAMLAssertion: signedSamlResponse({ key }),
        }),
      );
      const { AccessKeyId, SecretAccessKey, SessionToken } = output.Credentials ?? {};
      assert.ok(AccessKeyId && SecretAccessKey && SessionToken);
      const credentials = { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken };
      const issued = await new RedshiftClient({ region: REGION, credentials }).send(
        new GetClusterCredentialsCommand({ ClusterIdentifier: 'demo-cluster', DbUser: 'bob' }),
      );
      assert.equal(issued.DbUser, 'IAM:bob');
      const serverless = await new RedshiftServerlessClient({ region: REGION, credentials }).send(
        new GetCredentialsCommand({ workgroupName: 'demo-wg' }),
      );
      assert.equal(serverless.dbUser, 'IAMR:Analyst');
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('fails the next call of an action as told, then behaves normally', async () => {
    emulator.failNext('AssumeRoleWithSAML', { code: 'IDPRejectedClaim', message: 'Rejected by the IdP', status: 403 });
    await rejectsWith(assume(), 'IDPRejectedClaimException', 403);
    const credentials = await assume();

    const redshift = new RedshiftClient({ endpoint: emulator.url, region: REGION, credentials });
    const denial = 'User is not authorized to perform: redshift:GetClusterCredentials';
    emulator.failNext('GetClusterCredentials', { code: 'AccessDenied', message: denial, status: 403 });
    const input = { ClusterIdentifier: 'demo-cluster', DbUser: 'alice' };
    await assert.rejects(redshift.send(new GetClusterCredentialsCommand(input)), {
      name: 'AccessDenied',
      message: denial,
    });
    assert.equal((await redshift.send(new GetClusterCredentialsCommand(input))).DbUser, 'IAM:alice');

    const serverless = new RedshiftServerlessClient({ endpoint: emulator.url, region: REGION, credentials });
    emulator.failNext('GetCredentials', { code: 'ValidationException', message: 'nope', status: 400 });
    await rejectsWith(
      serverless.send(new GetCredentialsCommand({ workgroupName: 'demo-wg' })),
      'ValidationException',
      400,
    );

    const failed = emulator.calls.filter((call) => !call.ok && call.action === 'GetClusterCredentials');
    assert.equal(failed.at(-1)?.errorCode, 'AccessDenied');
    assert.match(failed.at(-1)?.requestId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('records and logs calls without SAML assertions, keys, tokens or passwords', async () => {
    const samlAssertion = signedSamlResponse({ key });
    const output = await sts().send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: DEMO_ROLE_ARN,
        PrincipalArn: DEMO_PROVIDER_ARN,
        SAMLAssertion: samlAssertion,
      }),
    );
    const { AccessKeyId = '', SecretAccessKey = '', SessionToken = '' } = output.Credentials ?? {};
    const credentials = { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken };
    const issued = await new RedshiftClient({ endpoint: emulator.url, region: REGION, credentials }).send(
      new GetClusterCredentialsCommand({ ClusterIdentifier: 'demo-cluster', DbUser: 'alice' }),
    );
    const serverless = await new RedshiftServerlessClient({ endpoint: emulator.url, region: REGION, credentials }).send(
      new GetCredentialsCommand({ workgroupName: 'demo-wg' }),
    );

    const recorded = JSON.stringify(emulator.calls) + logLines.join('');
    assert.ok(
      logLines.some((line) => line.includes('GetClusterCredentials')),
      'calls are logged',
    );
    assert.ok(
      emulator.calls.some((call) => call.action === 'AssumeRoleWithSAML' && call.params.RoleArn === DEMO_ROLE_ARN),
    );
    assert.ok(!recorded.includes('SAMLAssertion'));
    for (const secret of [
      samlAssertion.slice(0, 200),
      AccessKeyId,
      SecretAccessKey,
      SessionToken,
      issued.DbPassword,
      serverless.dbPassword,
    ]) {
      assert.ok(secret && !recorded.includes(secret), 'a secret leaked into calls');
    }
  });
});
