// The real adapters over the AWS SDK v3. The service holds no AWS credentials: AssumeRoleWithSAML
// is unsigned, and every Redshift call is signed with the role session it returned. Endpoints come
// from the SDK's own AWS_ENDPOINT_URL_* variables (or aws.endpoint in development). Requests go
// through the outbound proxy unless NO_PROXY covers their endpoint (outbound/routing-agent.ts).
import { STSClient, AssumeRoleWithSAMLCommand } from '@aws-sdk/client-sts';
import {
  RedshiftClient,
  GetClusterCredentialsCommand,
  GetClusterCredentialsWithIAMCommand,
  DescribeClustersCommand,
} from '@aws-sdk/client-redshift';
import {
  RedshiftServerlessClient,
  GetCredentialsCommand,
  GetWorkgroupCommand,
} from '@aws-sdk/client-redshift-serverless';
import { AWS_OPERATIONS } from './ports.ts';
import type { AwsResult, RedshiftApi, RoleSession, StsApi } from './ports.ts';
import { mapAwsError, type AwsCallContext } from './errors.ts';
import { OutboundProxy } from '../outbound/proxy-route.ts';
import { outboundAgents } from '../outbound/routing-agent.ts';
import { clusterTarget, dbCredentials, endpointOf, roleSessionOf } from './sdk-answers.ts';

export interface AwsSettings {
  region: string;
  timeoutMs: number;
  maxAttempts: number;
  endpoint?: string;
}

interface Answer {
  $metadata: { requestId?: string };
}
type CallOptions = { abortSignal: AbortSignal };

/**
 * One AWS call: send, read the answer (a missing field is a failed call), map any failure to the
 * service's error kinds with the call's context, and destroy a per-call client whatever happened.
 * Timing and counting happen at the port boundary (instrumented.ts), so substitutes are measured too.
 */
async function awsCall<C extends { destroy(): void }, O extends Answer, T>(
  call: { client: C; perCall: boolean; ctx: AwsCallContext; options: CallOptions },
  send: (client: C, options: CallOptions) => Promise<O>,
  read: (out: O) => T,
): Promise<AwsResult<T>> {
  try {
    const out = await send(call.client, call.options);
    return { value: read(out), requestId: out.$metadata.requestId };
  } catch (err) {
    throw mapAwsError(err, call.ctx);
  } finally {
    if (call.perCall) call.client.destroy();
  }
}

type Target = Omit<AwsCallContext, 'roleArn' | 'region'>;

/** How each call is made: the one STS client, and per-call Redshift clients signed with the role session. */
function callFactory(settings: AwsSettings, proxy: OutboundProxy) {
  // A function, not one object: each client gets its own agents, as destroying a client destroys them.
  const common = () => ({
    maxAttempts: settings.maxAttempts,
    requestHandler: {
      connectionTimeout: Math.min(settings.timeoutMs, 3000),
      requestTimeout: settings.timeoutMs,
      ...outboundAgents(proxy),
    },
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
  });
  const sts = new STSClient({
    ...common(),
    region: settings.region,
    // Unsigned operation; a credential lookup here would mean the SDK changed underneath us.
    credentials: () => Promise.reject(new Error('AssumeRoleWithSAML must not need AWS credentials')),
  });
  // Bounds the whole call including the SDK's retries, not just one attempt.
  const options = (): CallOptions => ({ abortSignal: AbortSignal.timeout(settings.timeoutMs * settings.maxAttempts) });
  const credentials = (s: RoleSession) => ({
    accessKeyId: s.accessKeyId,
    secretAccessKey: s.secretAccessKey,
    sessionToken: s.sessionToken,
    expiration: s.expiration,
  });
  const roleOf = (s: RoleSession) => s.roleArn ?? s.assumedRoleArn;
  const redshift = (session: RoleSession, region: string, ctx: Target) => ({
    client: new RedshiftClient({ ...common(), region, credentials: credentials(session) }),
    perCall: true,
    ctx: { ...ctx, roleArn: roleOf(session), region },
    options: options(),
  });
  const serverless = (session: RoleSession, region: string, ctx: Target) => ({
    client: new RedshiftServerlessClient({ ...common(), region, credentials: credentials(session) }),
    perCall: true,
    ctx: { ...ctx, roleArn: roleOf(session), region },
    options: options(),
  });
  return { sts, options, redshift, serverless };
}

type Calls = ReturnType<typeof callFactory>;

export function createAwsApis(
  settings: AwsSettings,
  proxy: OutboundProxy = new OutboundProxy(),
): { sts: StsApi; redshift: RedshiftApi; close(): void } {
  const calls = callFactory(settings, proxy);
  return {
    sts: stsApi(calls),
    redshift: { ...provisionedApi(calls), ...serverlessApi(calls) },
    close() {
      calls.sts.destroy();
    },
  };
}

function stsApi({ sts, options }: Calls): StsApi {
  const op = AWS_OPERATIONS;
  return {
    assumeRoleWithSaml: (input) =>
      awsCall(
        {
          client: sts,
          perCall: false,
          ctx: { operation: op.assumeRoleWithSaml, roleArn: input.roleArn, principalArn: input.principalArn },
          options: options(),
        },
        (client, o) =>
          client.send(
            new AssumeRoleWithSAMLCommand({
              RoleArn: input.roleArn,
              PrincipalArn: input.principalArn,
              SAMLAssertion: input.samlAssertion,
              DurationSeconds: input.durationSeconds,
              Policy: input.policy,
            }),
            o,
          ),
        roleSessionOf,
      ),
  };
}

function provisionedApi({
  redshift,
}: Calls): Pick<RedshiftApi, 'getClusterCredentials' | 'getClusterCredentialsWithIam' | 'describeClusterEndpoint'> {
  const op = AWS_OPERATIONS;
  return {
    getClusterCredentials: (session, input) =>
      awsCall(
        redshift(session, input.region, {
          operation: op.getClusterCredentials,
          clusterIdentifier: input.clusterIdentifier,
          dbUser: input.dbUser,
        }),
        (client, o) =>
          client.send(
            new GetClusterCredentialsCommand({
              DbUser: input.dbUser,
              ...clusterTarget(input),
              DbName: input.dbName,
              DurationSeconds: input.durationSeconds,
              AutoCreate: input.autoCreate,
              DbGroups: input.dbGroups.length > 0 ? input.dbGroups : undefined,
            }),
            o,
          ),
        (out) => dbCredentials('Redshift', out),
      ),
    getClusterCredentialsWithIam: (session, input) =>
      awsCall(
        redshift(session, input.region, {
          operation: op.getClusterCredentialsWithIam,
          clusterIdentifier: input.clusterIdentifier,
        }),
        (client, o) =>
          client.send(
            new GetClusterCredentialsWithIAMCommand({
              ...clusterTarget(input),
              DbName: input.dbName,
              DurationSeconds: input.durationSeconds,
            }),
            o,
          ),
        (out) => dbCredentials('Redshift', out),
      ),
    describeClusterEndpoint: (session, region, clusterIdentifier) =>
      awsCall(
        redshift(session, region, { operation: op.describeClusterEndpoint, clusterIdentifier }),
        (client, o) => client.send(new DescribeClustersCommand({ ClusterIdentifier: clusterIdentifier }), o),
        (out) => {
          const cluster = out.Clusters?.[0];
          const endpoint = cluster?.Endpoint;
          return endpointOf(op.describeClusterEndpoint, {
            address: endpoint?.Address,
            port: endpoint?.Port,
            status: cluster?.ClusterStatus,
          });
        },
      ),
  };
}

function serverlessApi({ serverless }: Calls): Pick<RedshiftApi, 'getServerlessCredentials' | 'getWorkgroupEndpoint'> {
  const op = AWS_OPERATIONS;
  return {
    getServerlessCredentials: (session, input) =>
      awsCall(
        serverless(session, input.region, { operation: op.getServerlessCredentials, workgroup: input.workgroupName }),
        (client, o) =>
          client.send(
            new GetCredentialsCommand({
              workgroupName: input.workgroupName,
              dbName: input.dbName,
              durationSeconds: input.durationSeconds,
            }),
            o,
          ),
        (out) =>
          dbCredentials('Redshift Serverless', {
            DbUser: out.dbUser,
            DbPassword: out.dbPassword,
            Expiration: out.expiration,
          }),
      ),
    getWorkgroupEndpoint: (session, region, workgroupName) =>
      awsCall(
        serverless(session, region, { operation: op.getWorkgroupEndpoint, workgroup: workgroupName }),
        (client, o) => client.send(new GetWorkgroupCommand({ workgroupName }), o),
        (out) => endpointOf(op.getWorkgroupEndpoint, { ...out.workgroup?.endpoint, status: out.workgroup?.status }),
      ),
  };
}
