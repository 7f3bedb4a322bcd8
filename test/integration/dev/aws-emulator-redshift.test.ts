// The AWS emulator's Redshift and Redshift Serverless calls through the real AWS SDK, signed with a
// role session it issued: credentials and endpoints, and the refusals Redshift would give (unknown
// cluster, bad DbUser, DbGroups or duration, made-up or expired keys).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeClustersCommand, GetClusterCredentialsCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import {
  GetCredentialsCommand,
  GetWorkgroupCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import { startAwsEmulator } from '../../../src/dev/aws-emulator.ts';
import { assumeDemoRole, rejectsWith, demoEmulatorForSuite } from '../../support/emulator-sdk.ts';
import type { AssumeRoleWithSAMLCommandInput } from '@aws-sdk/client-sts';

const REGION = 'us-east-1';

describe('AWS emulator: Redshift calls', () => {
  const demo = demoEmulatorForSuite();

  const assume = (input: Partial<AssumeRoleWithSAMLCommandInput> = {}, url = demo.emulator.url) =>
    assumeDemoRole(demo.key, input, { endpoint: url });

  describe('Redshift', () => {
    it('issues cluster credentials to the STS session and describes the cluster', async () => {
      const redshift = new RedshiftClient({ endpoint: demo.emulator.url, region: REGION, credentials: await assume() });
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

      const call = demo.emulator.calls.find((c) => c.action === 'GetClusterCredentials' && c.params.DbName === 'dev');
      assert.deepEqual(call?.params.DbGroups, ['analysts']);
    });

    it('reports an unknown cluster as ClusterNotFoundFault', async () => {
      const redshift = new RedshiftClient({ endpoint: demo.emulator.url, region: REGION, credentials: await assume() });
      const unknown = [
        () => redshift.send(new GetClusterCredentialsCommand({ ClusterIdentifier: 'nope', DbUser: 'alice' })),
        () => redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'Demo-Cluster' })),
      ];
      for (const call of unknown) await rejectsWith(call(), 'ClusterNotFoundFault', 404);
    });

    it('refuses DbUser, DbGroups and DurationSeconds that Redshift would refuse', async () => {
      const redshift = new RedshiftClient({ endpoint: demo.emulator.url, region: REGION, credentials: await assume() });
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
      const stranger = new RedshiftClient({ endpoint: demo.emulator.url, region: REGION, credentials: madeUp });
      await rejectsWith(stranger.send(new DescribeClustersCommand({})), 'InvalidClientTokenId', 403);

      const real = await assume();
      const wrongSecret = new RedshiftClient({
        endpoint: demo.emulator.url,
        region: REGION,
        credentials: { ...real, secretAccessKey: madeUp.secretAccessKey },
      });
      await rejectsWith(wrongSecret.send(new DescribeClustersCommand({})), 'SignatureDoesNotMatch', 403);

      const wrongToken = new RedshiftClient({
        endpoint: demo.emulator.url,
        region: REGION,
        credentials: { ...real, sessionToken: 'other' },
      });
      await rejectsWith(wrongToken.send(new DescribeClustersCommand({})), 'InvalidClientTokenId', 403);

      const serverless = new RedshiftServerlessClient({
        endpoint: demo.emulator.url,
        region: REGION,
        credentials: madeUp,
      });
      await rejectsWith(
        serverless.send(new GetWorkgroupCommand({ workgroupName: 'demo-wg' })),
        'UnrecognizedClientException',
        403,
      );
    });

    it('refuses calls from an expired session', async () => {
      let clock = new Date();
      const clocked = await startAwsEmulator({ ...demo.baseOptions, now: () => clock });
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
        endpoint: demo.emulator.url,
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

      const missing = [
        () => serverless.send(new GetWorkgroupCommand({ workgroupName: 'missing-wg' })),
        () => serverless.send(new GetCredentialsCommand({ workgroupName: 'missing-wg' })),
      ];
      for (const call of missing) await rejectsWith(call(), 'ResourceNotFoundException', 400);
    });
  });
});
