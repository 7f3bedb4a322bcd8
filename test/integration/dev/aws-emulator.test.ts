// The AWS emulator as the SDK finds and uses it: through AWS_ENDPOINT_URL_* variables, failing the
// next call of an action when told to, and recording and logging calls without any secret.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AssumeRoleWithSAMLCommandInput } from '@aws-sdk/client-sts';
import { GetClusterCredentialsCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { GetCredentialsCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { DEMO_ROLE_ARN, signedSamlResponse } from '../../support/emulator-saml.ts';
import { assumeDemoRole, rejectsWith, demoEmulatorForSuite } from '../../support/emulator-sdk.ts';

const REGION = 'us-east-1';

describe('AWS emulator', () => {
  const logLines: string[] = [];
  const demo = demoEmulatorForSuite(logLines);

  const assume = (input: Partial<AssumeRoleWithSAMLCommandInput> = {}) =>
    assumeDemoRole(demo.key, input, { endpoint: demo.emulator.url });

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
      for (const name of names.slice(0, 3)) process.env[name] = demo.emulator.url;
      // No endpoint: the SDK finds the emulator through AWS_ENDPOINT_URL_STS.
      const credentials = await assumeDemoRole(demo.key, {}, { region: REGION });
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
    demo.emulator.failNext('AssumeRoleWithSAML', {
      code: 'IDPRejectedClaim',
      message: 'Rejected by the IdP',
      status: 403,
    });
    await rejectsWith(assume(), 'IDPRejectedClaimException', 403);
    const credentials = await assume();

    const redshift = new RedshiftClient({ endpoint: demo.emulator.url, region: REGION, credentials });
    const denial = 'User is not authorized to perform: redshift:GetClusterCredentials';
    demo.emulator.failNext('GetClusterCredentials', { code: 'AccessDenied', message: denial, status: 403 });
    const input = { ClusterIdentifier: 'demo-cluster', DbUser: 'alice' };
    await assert.rejects(redshift.send(new GetClusterCredentialsCommand(input)), {
      name: 'AccessDenied',
      message: denial,
    });
    assert.equal((await redshift.send(new GetClusterCredentialsCommand(input))).DbUser, 'IAM:alice');

    const serverless = new RedshiftServerlessClient({ endpoint: demo.emulator.url, region: REGION, credentials });
    demo.emulator.failNext('GetCredentials', { code: 'ValidationException', message: 'nope', status: 400 });
    await rejectsWith(
      serverless.send(new GetCredentialsCommand({ workgroupName: 'demo-wg' })),
      'ValidationException',
      400,
    );

    const failed = demo.emulator.calls.filter((call) => !call.ok && call.action === 'GetClusterCredentials');
    assert.equal(failed.at(-1)?.errorCode, 'AccessDenied');
    assert.match(failed.at(-1)?.requestId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('records and logs calls without SAML assertions, keys, tokens or passwords', async () => {
    const samlAssertion = signedSamlResponse({ key: demo.key });
    const credentials = await assume({ SAMLAssertion: samlAssertion });
    const issued = await new RedshiftClient({ endpoint: demo.emulator.url, region: REGION, credentials }).send(
      new GetClusterCredentialsCommand({ ClusterIdentifier: 'demo-cluster', DbUser: 'alice' }),
    );
    const serverless = await new RedshiftServerlessClient({
      endpoint: demo.emulator.url,
      region: REGION,
      credentials,
    }).send(new GetCredentialsCommand({ workgroupName: 'demo-wg' }));

    const recorded = JSON.stringify(demo.emulator.calls) + logLines.join('');
    assert.ok(
      logLines.some((line) => line.includes('GetClusterCredentials')),
      'calls are logged',
    );
    assert.ok(
      demo.emulator.calls.some((call) => call.action === 'AssumeRoleWithSAML' && call.params.RoleArn === DEMO_ROLE_ARN),
    );
    assert.ok(!recorded.includes('SAMLAssertion'));
    for (const secret of [
      samlAssertion.slice(0, 200),
      credentials.accessKeyId,
      credentials.secretAccessKey,
      credentials.sessionToken,
      issued.DbPassword,
      serverless.dbPassword,
    ]) {
      assert.ok(secret && !recorded.includes(secret), 'a secret leaked into calls');
    }
  });
});
