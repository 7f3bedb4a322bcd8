// The AWS emulator enforces the inline session policy given to AssumeRoleWithSAML on the Redshift
// and Redshift Serverless calls signed with that session, with AWS's error shapes, through the
// real AWS SDK: Allow lists with wildcards, explicit Deny, implicit deny, and STS's own checks.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeClustersCommand, GetClusterCredentialsCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import {
  GetCredentialsCommand,
  GetWorkgroupCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import { startAwsEmulator, type AwsEmulator } from '../../../src/dev/aws-emulator.ts';
import { DEMO_PROVIDER_ARN, generateSigningKey, type SamlSigningKey } from '../../support/emulator-saml.ts';
import { assumeDemoRole, rejectsWith } from '../../support/emulator-sdk.ts';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const WORKGROUP_ID = '3a1f2e4d-5c6b-4a79-8e0d-1f2a3b4c5d6e';

describe('AWS emulator: session policies', () => {
  let key: SamlSigningKey;
  let emulator: AwsEmulator;

  before(async () => {
    key = await generateSigningKey();
    emulator = await startAwsEmulator({
      samlProviders: [{ arn: DEMO_PROVIDER_ARN, certs: [key.cert] }],
      clusters: [
        { clusterIdentifier: 'demo-cluster', host: 'demo-cluster.example.test', port: 5439 },
        { clusterIdentifier: 'secret-cluster', host: 'secret-cluster.example.test', port: 5439 },
      ],
      workgroups: [{ workgroupName: 'demo-wg', workgroupId: WORKGROUP_ID, host: 'demo-wg.example.test', port: 5440 }],
    });
  });
  after(() => emulator.close());

  async function sessionWith(
    policy: unknown,
  ): Promise<{ redshift: RedshiftClient; serverless: RedshiftServerlessClient }> {
    const credentials = await assumeDemoRole(
      key,
      { Policy: typeof policy === 'string' ? policy : JSON.stringify(policy) },
      { endpoint: emulator.url, region: REGION },
    );
    return {
      redshift: new RedshiftClient({ endpoint: emulator.url, region: REGION, maxAttempts: 1, credentials }),
      serverless: new RedshiftServerlessClient({ endpoint: emulator.url, region: REGION, maxAttempts: 1, credentials }),
    };
  }

  it('allows what an Allow names, with wildcards, and refuses the rest as AWS does', async () => {
    const { redshift, serverless } = await sessionWith({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'redshift:Get*',
          Resource: [
            `arn:aws:redshift:${REGION}:${ACCOUNT}:dbuser:demo-*/alice`,
            `arn:aws:redshift:*:${ACCOUNT}:dbname:demo-cluster/d?v`,
          ],
        },
        {
          Effect: 'Allow',
          Action: 'redshift-serverless:GetWorkgroup',
          Resource: `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:workgroup/*`,
        },
      ],
    });
    const own = await redshift.send(
      new GetClusterCredentialsCommand({ ClusterIdentifier: 'demo-cluster', DbUser: 'alice', DbName: 'dev' }),
    );
    assert.equal(own.DbUser, 'IAM:alice');
    const user = `arn:aws:sts::${ACCOUNT}:assumed-role/Analyst/alice`;
    await rejectsWith(
      redshift.send(
        new GetClusterCredentialsCommand({ ClusterIdentifier: 'demo-cluster', DbUser: 'bob', DbName: 'dev' }),
      ),
      'AccessDenied',
      403,
      new RegExp(
        `^User: ${user} is not authorized to perform: redshift:GetClusterCredentials on resource: arn:aws:redshift:${REGION}:${ACCOUNT}:dbuser:demo-cluster/bob because no session policy allows`,
      ),
    );
    await rejectsWith(
      redshift.send(new GetClusterCredentialsCommand({ ClusterIdentifier: 'secret-cluster', DbUser: 'alice' })),
      'AccessDenied',
      403,
      /dbuser:secret-cluster\/alice/,
    );
    await rejectsWith(
      redshift.send(
        new GetClusterCredentialsCommand({ ClusterIdentifier: 'demo-cluster', DbUser: 'alice', DbName: 'prod' }),
      ),
      'AccessDenied',
      403,
      /dbname:demo-cluster\/prod/,
    );
    await rejectsWith(
      redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'demo-cluster' })),
      'AccessDenied',
      403,
      /redshift:DescribeClusters/,
    );
    // An unknown cluster is refused by the policy before it is looked up, as IAM authorizes first.
    await rejectsWith(
      redshift.send(new GetClusterCredentialsCommand({ ClusterIdentifier: 'nope', DbUser: 'alice' })),
      'AccessDenied',
      403,
    );

    const { workgroup } = await serverless.send(new GetWorkgroupCommand({ workgroupName: 'demo-wg' }));
    assert.equal(workgroup?.endpoint?.address, 'demo-wg.example.test');
    await rejectsWith(
      serverless.send(new GetCredentialsCommand({ workgroupName: 'demo-wg' })),
      'AccessDeniedException',
      403,
      new RegExp(
        `redshift-serverless:GetCredentials on resource: arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:workgroup/${WORKGROUP_ID}`,
      ),
    );
  });

  it('lets an explicit Deny win over an Allow', async () => {
    const { redshift } = await sessionWith({
      Statement: [
        { Effect: 'Allow', Action: 'redshift:*', Resource: '*' },
        { Effect: 'Deny', Action: 'redshift:GetClusterCredentials', Resource: `arn:aws:redshift:*:*:dbuser:*/bob` },
      ],
    });
    assert.equal(
      (await redshift.send(new GetClusterCredentialsCommand({ ClusterIdentifier: 'secret-cluster', DbUser: 'alice' })))
        .DbUser,
      'IAM:alice',
    );
    await rejectsWith(
      redshift.send(new GetClusterCredentialsCommand({ ClusterIdentifier: 'demo-cluster', DbUser: 'bob' })),
      'AccessDenied',
      403,
      /with an explicit deny in a session policy/,
    );
  });

  it('refuses a session with an empty Statement list everything', async () => {
    const { redshift, serverless } = await sessionWith({ Version: '2012-10-17', Statement: [] });
    await rejectsWith(redshift.send(new DescribeClustersCommand({})), 'AccessDenied', 403);
    await rejectsWith(
      serverless.send(new GetWorkgroupCommand({ workgroupName: 'demo-wg' })),
      'AccessDeniedException',
      403,
    );
  });

  it('checks the Policy at AssumeRoleWithSAML as STS does', async () => {
    await rejectsWith(sessionWith('{"Statement": ['), 'MalformedPolicyDocumentException', 400);
    await rejectsWith(
      sessionWith({ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }),
      'MalformedPolicyDocumentException',
      400,
    );
    await rejectsWith(
      sessionWith({
        Statement: [{ Effect: 'Allow', Action: '*', Resource: `arn:aws:redshift:*:*:dbuser:*/${'a'.repeat(2048)}` }],
      }),
      'ValidationError',
      400,
    );
  });
});
