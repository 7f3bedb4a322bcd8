// DescribeClusters and GetWorkgroup on the AWS emulator, as strictly as AWS answers them: only a
// role session STS issued (AssumeRoleWithSAML) signs them, with SigV4 for the right service; each
// sees only its own account's clusters and workgroups in the region it signed for; status and
// endpoint as the resource has them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { GetWorkgroupCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { startAwsEmulator, type AwsEmulator } from '../../../src/dev/aws-emulator.ts';
import {
  DEMO_PROVIDER_ARN,
  DEMO_ROLE_ARN,
  generateSigningKey,
  signedSamlResponse,
  type SamlSigningKey,
} from '../../support/emulator-saml.ts';
import { assumeDemoRole, rejectsWith, type SessionCredentials } from '../../support/emulator-sdk.ts';

const OTHER_ACCOUNT = '210987654321';
const OTHER_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/Analyst`;
const OTHER_PROVIDER = `arn:aws:iam::${OTHER_ACCOUNT}:saml-provider/Demo`;

describe('AWS emulator: DescribeClusters and GetWorkgroup', () => {
  let key: SamlSigningKey;
  let emulator: AwsEmulator;
  let home: SessionCredentials;
  let other: SessionCredentials;

  const redshift = (region: string, credentials: SessionCredentials) =>
    new RedshiftClient({ endpoint: emulator.url, region, maxAttempts: 1, credentials });
  const serverless = (region: string, credentials: SessionCredentials) =>
    new RedshiftServerlessClient({ endpoint: emulator.url, region, maxAttempts: 1, credentials });
  /** The calls these tests make, signed for `region` with `credentials`. */
  const describeEuCluster = (region: string, credentials: SessionCredentials) =>
    redshift(region, credentials).send(new DescribeClustersCommand({ ClusterIdentifier: 'eu-cluster' }));
  const describeAllClusters = (region: string, credentials: SessionCredentials) =>
    redshift(region, credentials).send(new DescribeClustersCommand({}));
  const getEuWorkgroup = (region: string, credentials: SessionCredentials) =>
    serverless(region, credentials).send(new GetWorkgroupCommand({ workgroupName: 'eu-wg' }));

  async function assume(roleArn: string, principalArn: string): Promise<SessionCredentials> {
    const SAMLAssertion = signedSamlResponse({ key, roles: [`${roleArn},${principalArn}`] });
    return assumeDemoRole(
      key,
      { RoleArn: roleArn, PrincipalArn: principalArn, SAMLAssertion },
      { endpoint: emulator.url },
    );
  }

  before(async () => {
    key = await generateSigningKey();
    emulator = await startAwsEmulator({
      samlProviders: [
        { arn: DEMO_PROVIDER_ARN, certs: [key.cert] },
        { arn: OTHER_PROVIDER, certs: [key.cert] },
      ],
      clusters: [
        {
          clusterIdentifier: 'home-cluster',
          host: 'home.example.test',
          port: 5439,
          region: 'us-east-1',
          accountId: '123456789012',
        },
        {
          clusterIdentifier: 'eu-cluster',
          host: 'eu.example.test',
          port: 5440,
          region: 'eu-west-1',
          accountId: OTHER_ACCOUNT,
          status: 'paused',
        },
      ],
      workgroups: [
        {
          workgroupName: 'eu-wg',
          host: 'eu-wg.example.test',
          port: 5439,
          region: 'eu-west-1',
          accountId: OTHER_ACCOUNT,
        },
      ],
    });
    [home, other] = await Promise.all([assume(DEMO_ROLE_ARN, DEMO_PROVIDER_ARN), assume(OTHER_ROLE, OTHER_PROVIDER)]);
  });
  after(() => emulator.close());

  it("answers each account's clusters in the region the call was signed for, with status and endpoint", async () => {
    const found = await describeEuCluster('eu-west-1', other);
    const cluster = found.Clusters?.[0];
    assert.deepEqual(
      [cluster?.ClusterStatus, cluster?.Endpoint?.Address, cluster?.Endpoint?.Port],
      ['paused', 'eu.example.test', 5440],
    );
    const all = await describeAllClusters('us-east-1', home);
    assert.deepEqual(
      all.Clusters?.map((c) => c.ClusterIdentifier),
      ['home-cluster'],
      'only its own account, only that region',
    );
  });

  it('does not find a cluster from another account, or through another region', async () => {
    await rejectsWith(describeEuCluster('eu-west-1', home), 'ClusterNotFoundFault', 404);
    await rejectsWith(describeEuCluster('us-east-1', other), 'ClusterNotFoundFault', 404);
  });

  it('answers GetWorkgroup with its ARN, status and endpoint, for its own account and region only', async () => {
    const { workgroup } = await getEuWorkgroup('eu-west-1', other);
    assert.equal(workgroup?.status, 'AVAILABLE');
    assert.deepEqual([workgroup?.endpoint?.address, workgroup?.endpoint?.port], ['eu-wg.example.test', 5439]);
    assert.match(
      workgroup?.workgroupArn ?? '',
      new RegExp(`^arn:aws:redshift-serverless:eu-west-1:${OTHER_ACCOUNT}:workgroup/${workgroup?.workgroupId ?? 'x'}$`),
    );
    await rejectsWith(getEuWorkgroup('eu-west-1', home), 'ResourceNotFoundException', 400);
    await rejectsWith(getEuWorkgroup('us-east-1', other), 'ResourceNotFoundException', 400);
  });

  it('refuses both calls signed with keys STS never issued, or a wrong secret', async () => {
    const madeUp = { accessKeyId: 'ASIAMADEUP000000000', secretAccessKey: 'x', sessionToken: 'y' };
    await rejectsWith(describeEuCluster('eu-west-1', madeUp), 'InvalidClientTokenId', 403);
    await rejectsWith(getEuWorkgroup('eu-west-1', madeUp), 'UnrecognizedClientException', 403);
    const wrongSecret = { ...other, secretAccessKey: `${other.secretAccessKey}x` };
    await rejectsWith(describeAllClusters('eu-west-1', wrongSecret), 'SignatureDoesNotMatch', 403);
    await rejectsWith(getEuWorkgroup('eu-west-1', wrongSecret), 'InvalidSignatureException', 403);
  });
});
