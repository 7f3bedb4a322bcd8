// Reading the AWS SDK's answers into the ports' types: a missing field makes the call fail.
import type { AssumeRoleWithSAMLCommandOutput } from '@aws-sdk/client-sts';
import type { DbCredentials, DiscoveredEndpoint, RoleSession } from './ports.ts';

export function dbCredentials(
  service: string,
  out: { DbUser?: string; DbPassword?: string; Expiration?: Date },
): DbCredentials {
  if (out.DbUser === undefined || out.DbPassword === undefined || out.Expiration === undefined) {
    throw new Error(`${service} answered without credentials`);
  }
  return { dbUser: out.DbUser, dbPassword: out.DbPassword, expiration: out.Expiration };
}

export function endpointOf(
  operation: string,
  found: { address?: string; port?: number; status?: string },
): DiscoveredEndpoint {
  if (found.address === undefined || found.port === undefined) {
    throw new Error(`${operation} answered without an endpoint`);
  }
  return { host: found.address, port: found.port, ...(found.status === undefined ? {} : { status: found.status }) };
}

export function roleSessionOf(out: AssumeRoleWithSAMLCommandOutput): RoleSession {
  const c = out.Credentials;
  if (
    c?.AccessKeyId === undefined ||
    c.SecretAccessKey === undefined ||
    c.SessionToken === undefined ||
    c.Expiration === undefined
  ) {
    throw new Error('STS answered without credentials');
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
    assumedRoleArn: out.AssumedRoleUser?.Arn,
  };
}

export /** AWS takes either the cluster identifier or its custom domain name, not both. */
function clusterTarget(input: { clusterIdentifier: string; customDomainName?: string }): {
  ClusterIdentifier?: string;
  CustomDomainName?: string;
} {
  return input.customDomainName !== undefined
    ? { CustomDomainName: input.customDomainName }
    : { ClusterIdentifier: input.clusterIdentifier };
}
