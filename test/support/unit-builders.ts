// Builders for unit tests: identities, role pairs, clusters and role sessions with plain
// defaults, each overridable field by field.
import type { ClusterConfig } from '../../src/config/schema.ts';
import type { RoleSession } from '../../src/aws/ports.ts';
import type { FederatedIdentity, RolePair } from '../../src/saml/federated-identity.ts';

export const ACCOUNT = '123456789012';
export const PRINCIPAL_ARN = `arn:aws:iam::${ACCOUNT}:saml-provider/TestIdP`;

export function roleArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/${name}`;
}

export function aRolePair(name: string): RolePair {
  return { roleArn: roleArn(name), principalArn: PRINCIPAL_ARN };
}

export function aFederatedIdentity(overrides: Partial<FederatedIdentity> = {}): FederatedIdentity {
  return {
    idpId: 'corp',
    issuer: 'https://idp.test.example/metadata',
    nameId: 'alice@example.com',
    roles: [aRolePair('RedshiftAnalyst')],
    roleSessionName: 'alice',
    dbUser: 'alice',
    dbGroups: ['analysts'],
    autoCreate: false,
    groups: [],
    ignored: [],
    ...overrides,
  };
}

export function aCluster(overrides: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    id: 'analytics',
    type: 'provisioned',
    clusterIdentifier: 'analytics-cluster',
    database: 'dev',
    sslMode: 'verify-full',
    credentialsApi: 'GetClusterCredentials',
    durationSeconds: 900,
    roles: [roleArn('RedshiftAnalyst')],
    sessionPolicy: true,
    ...overrides,
  };
}

export function aRoleSession(overrides: Partial<RoleSession> = {}): RoleSession {
  return {
    accessKeyId: 'ASIAFAKEACCESSKEY',
    secretAccessKey: 'fake-secret-access-key/abc+def',
    sessionToken: 'fake-session-token-FwoGZXIvYXdzEJr',
    expiration: new Date('2030-01-01T01:00:00.000Z'),
    assumedRoleArn: `arn:aws:sts::${ACCOUNT}:assumed-role/RedshiftAnalyst/alice`,
    ...overrides,
  };
}

/** An Error shaped like the AWS SDK v3's service exceptions. */
export function anSdkError(
  name: string,
  options: { message?: string; fault?: 'client' | 'server'; httpStatusCode?: number; requestId?: string } = {},
): Error {
  return Object.assign(new Error(options.message ?? `${name} from AWS`), {
    name,
    $fault: options.fault ?? 'client',
    $metadata: { httpStatusCode: options.httpStatusCode ?? 400, requestId: options.requestId ?? 'req-0000' },
  });
}
