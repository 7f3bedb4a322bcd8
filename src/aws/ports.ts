// The AWS calls the service makes, in its own types. Domain code depends on these; `sdk.ts`
// implements them over the AWS SDK and tests substitute recording fakes.

export interface RoleSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  assumedRoleArn?: string;
  /** The IAM role this session is for (what an admin edits when access is denied). */
  roleArn?: string;
}

export interface AwsResult<T> {
  value: T;
  requestId?: string;
}

export interface AssumeRoleWithSamlInput {
  roleArn: string;
  principalArn: string;
  /** The SAMLResponse exactly as the IdP posted it (base64). */
  samlAssertion: string;
  durationSeconds: number;
  /** Inline session policy (JSON, at most 2048 characters): the session gets only what it and the role both allow. */
  policy?: string;
}

export interface StsApi {
  assumeRoleWithSaml(input: AssumeRoleWithSamlInput): Promise<AwsResult<RoleSession>>;
}

export interface DbCredentials {
  dbUser: string;
  dbPassword: string;
  expiration: Date;
}

export interface Endpoint {
  host: string;
  port: number;
}

/** An endpoint as DescribeClusters / GetWorkgroup report it, with the resource's status there. */
export interface DiscoveredEndpoint extends Endpoint {
  /** ClusterStatus (`available`, `paused`, ...) or the workgroup's status (`AVAILABLE`, ...). */
  status?: string;
}

export interface ClusterCredentialsInput {
  region: string;
  clusterIdentifier: string;
  /** Sent instead of the identifier when the cluster is reached through a custom domain (CNAME). */
  customDomainName?: string;
  dbUser: string;
  dbName: string;
  durationSeconds: number;
  autoCreate: boolean;
  dbGroups: string[];
}

export interface ClusterCredentialsWithIamInput {
  region: string;
  clusterIdentifier: string;
  customDomainName?: string;
  dbName: string;
  durationSeconds: number;
}

export interface ServerlessCredentialsInput {
  region: string;
  workgroupName: string;
  dbName: string;
  durationSeconds: number;
}

export interface RedshiftApi {
  getClusterCredentials(session: RoleSession, input: ClusterCredentialsInput): Promise<AwsResult<DbCredentials>>;
  /** The DB user is the role session's own (IAMR:<role>); DB roles come from IAM. */
  getClusterCredentialsWithIam(
    session: RoleSession,
    input: ClusterCredentialsWithIamInput,
  ): Promise<AwsResult<DbCredentials>>;
  describeClusterEndpoint(
    session: RoleSession,
    region: string,
    clusterIdentifier: string,
  ): Promise<AwsResult<DiscoveredEndpoint>>;
  getServerlessCredentials(session: RoleSession, input: ServerlessCredentialsInput): Promise<AwsResult<DbCredentials>>;
  getWorkgroupEndpoint(
    session: RoleSession,
    region: string,
    workgroupName: string,
  ): Promise<AwsResult<DiscoveredEndpoint>>;
}

/** Each port method's AWS operation name: the label in metrics and the operation in error context. */
export const AWS_OPERATIONS = {
  assumeRoleWithSaml: 'AssumeRoleWithSAML',
  getClusterCredentials: 'GetClusterCredentials',
  getClusterCredentialsWithIam: 'GetClusterCredentialsWithIAM',
  describeClusterEndpoint: 'DescribeClusters',
  getServerlessCredentials: 'GetCredentials',
  getWorkgroupEndpoint: 'GetWorkgroup',
} as const satisfies Record<keyof StsApi | keyof RedshiftApi, string>;
