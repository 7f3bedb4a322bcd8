// The real adapters over the AWS SDK v3. The service holds no AWS credentials: AssumeRoleWithSAML
// is unsigned, and every Redshift call is signed with the role session it returned. Endpoints come
// from the SDK's own AWS_ENDPOINT_URL_* variables (or aws.endpoint in development). Requests go
// through the outbound proxy unless NO_PROXY covers their endpoint (outbound/routing-agent.ts).
import { STSClient, AssumeRoleWithSAMLCommand } from '@aws-sdk/client-sts';
import { RedshiftClient, GetClusterCredentialsCommand, GetClusterCredentialsWithIAMCommand, DescribeClustersCommand } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient, GetCredentialsCommand, GetWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import type { RedshiftApi, RoleSession, StsApi } from './ports.ts';
import { mapAwsError } from './errors.ts';
import { OutboundProxy } from '../outbound/proxy-route.ts';
import { outboundAgents } from '../outbound/routing-agent.ts';

export interface AwsSettings {
  region: string;
  timeoutMs: number;
  maxAttempts: number;
  endpoint?: string;
}

export function createAwsApis(settings: AwsSettings, proxy: OutboundProxy = new OutboundProxy()): { sts: StsApi; redshift: RedshiftApi; close(): void } {
  // A function, not one object: each client gets its own agents, as destroying a client destroys them.
  const common = () => ({
    maxAttempts: settings.maxAttempts,
    requestHandler: { connectionTimeout: Math.min(settings.timeoutMs, 3000), requestTimeout: settings.timeoutMs, ...outboundAgents(proxy) },
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
  });
  const sts = new STSClient({
    ...common(),
    region: settings.region,
    // Unsigned operation; a credential lookup here would mean the SDK changed underneath us.
    credentials: () => Promise.reject(new Error('AssumeRoleWithSAML must not need AWS credentials')),
  });
  // Bounds the whole call including the SDK's retries, not just one attempt.
  const deadline = (): { abortSignal: AbortSignal } => ({ abortSignal: AbortSignal.timeout(settings.timeoutMs * settings.maxAttempts) });
  const sessionCredentials = (s: RoleSession) => ({ accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiration: s.expiration });
  const redshiftClient = (session: RoleSession, region: string) => new RedshiftClient({ ...common(), region, credentials: sessionCredentials(session) });
  const serverlessClient = (session: RoleSession, region: string) => new RedshiftServerlessClient({ ...common(), region, credentials: sessionCredentials(session) });

  return {
    sts: {
      async assumeRoleWithSaml(input) {
        try {
          const out = await sts.send(
            new AssumeRoleWithSAMLCommand({
              RoleArn: input.roleArn,
              PrincipalArn: input.principalArn,
              SAMLAssertion: input.samlAssertion,
              DurationSeconds: input.durationSeconds,
              Policy: input.policy,
            }),
            deadline(),
          );
          const c = out.Credentials;
          if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined || c.Expiration === undefined) {
            throw new Error('STS answered without credentials');
          }
          return {
            value: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration, assumedRoleArn: out.AssumedRoleUser?.Arn },
            requestId: out.$metadata.requestId,
          };
        } catch (err) {
          throw mapAwsError(err, { operation: 'AssumeRoleWithSAML', roleArn: input.roleArn, principalArn: input.principalArn });
        }
      },
    },
    redshift: {
      async getClusterCredentials(session, input) {
        const client = redshiftClient(session, input.region);
        try {
          const out = await client.send(
            new GetClusterCredentialsCommand({
              DbUser: input.dbUser,
              ...clusterTarget(input),
              DbName: input.dbName,
              DurationSeconds: input.durationSeconds,
              AutoCreate: input.autoCreate,
              DbGroups: input.dbGroups.length > 0 ? input.dbGroups : undefined,
            }),
            deadline(),
          );
          if (out.DbUser === undefined || out.DbPassword === undefined || out.Expiration === undefined) throw new Error('Redshift answered without credentials');
          return { value: { dbUser: out.DbUser, dbPassword: out.DbPassword, expiration: out.Expiration }, requestId: out.$metadata.requestId };
        } catch (err) {
          throw mapAwsError(err, { operation: 'GetClusterCredentials', roleArn: session.roleArn ?? session.assumedRoleArn, clusterIdentifier: input.clusterIdentifier, dbUser: input.dbUser, region: input.region });
        } finally {
          client.destroy();
        }
      },
      async getClusterCredentialsWithIam(session, input) {
        const client = redshiftClient(session, input.region);
        try {
          const out = await client.send(
            new GetClusterCredentialsWithIAMCommand({ ...clusterTarget(input), DbName: input.dbName, DurationSeconds: input.durationSeconds }),
            deadline(),
          );
          if (out.DbUser === undefined || out.DbPassword === undefined || out.Expiration === undefined) throw new Error('Redshift answered without credentials');
          return { value: { dbUser: out.DbUser, dbPassword: out.DbPassword, expiration: out.Expiration }, requestId: out.$metadata.requestId };
        } catch (err) {
          throw mapAwsError(err, { operation: 'GetClusterCredentialsWithIAM', roleArn: session.roleArn ?? session.assumedRoleArn, clusterIdentifier: input.clusterIdentifier, region: input.region });
        } finally {
          client.destroy();
        }
      },
      async describeClusterEndpoint(session, region, clusterIdentifier) {
        const client = redshiftClient(session, region);
        try {
          const out = await client.send(new DescribeClustersCommand({ ClusterIdentifier: clusterIdentifier }), deadline());
          const endpoint = out.Clusters?.[0]?.Endpoint;
          if (endpoint?.Address === undefined || endpoint.Port === undefined) throw new Error('DescribeClusters answered without an endpoint');
          return { value: { host: endpoint.Address, port: endpoint.Port }, requestId: out.$metadata.requestId };
        } catch (err) {
          throw mapAwsError(err, { operation: 'DescribeClusters', roleArn: session.roleArn ?? session.assumedRoleArn, clusterIdentifier, region });
        } finally {
          client.destroy();
        }
      },
      async getServerlessCredentials(session, input) {
        const client = serverlessClient(session, input.region);
        try {
          const out = await client.send(
            new GetCredentialsCommand({ workgroupName: input.workgroupName, dbName: input.dbName, durationSeconds: input.durationSeconds }),
            deadline(),
          );
          if (out.dbUser === undefined || out.dbPassword === undefined || out.expiration === undefined) throw new Error('Redshift Serverless answered without credentials');
          return { value: { dbUser: out.dbUser, dbPassword: out.dbPassword, expiration: out.expiration }, requestId: out.$metadata.requestId };
        } catch (err) {
          throw mapAwsError(err, { operation: 'GetCredentials', roleArn: session.roleArn ?? session.assumedRoleArn, workgroup: input.workgroupName, region: input.region });
        } finally {
          client.destroy();
        }
      },
      async getWorkgroupEndpoint(session, region, workgroupName) {
        const client = serverlessClient(session, region);
        try {
          const out = await client.send(new GetWorkgroupCommand({ workgroupName }), deadline());
          const endpoint = out.workgroup?.endpoint;
          if (endpoint?.address === undefined || endpoint.port === undefined) throw new Error('GetWorkgroup answered without an endpoint');
          return { value: { host: endpoint.address, port: endpoint.port }, requestId: out.$metadata.requestId };
        } catch (err) {
          throw mapAwsError(err, { operation: 'GetWorkgroup', roleArn: session.roleArn ?? session.assumedRoleArn, workgroup: workgroupName, region });
        } finally {
          client.destroy();
        }
      },
    },
    close() {
      sts.destroy();
    },
  };
}

/** AWS takes either the cluster identifier or its custom domain name, not both. */
function clusterTarget(input: { clusterIdentifier: string; customDomainName?: string }): { ClusterIdentifier?: string; CustomDomainName?: string } {
  return input.customDomainName !== undefined ? { CustomDomainName: input.customDomainName } : { ClusterIdentifier: input.clusterIdentifier };
}
