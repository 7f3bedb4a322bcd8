// A recording RedshiftApi for unit tests, like Teleport's mocks/aws_redshift.go: every call is
// kept in `calls` with the role session it was signed with; `failWith` makes one operation fail
// with an SDK-shaped error mapped as the real adapter maps it.
import { mapAwsError } from '../../src/aws/errors.ts';
import type {
  ClusterCredentialsInput,
  ClusterCredentialsWithIamInput,
  DbCredentials,
  Endpoint,
  RedshiftApi,
  RoleSession,
  ServerlessCredentialsInput,
} from '../../src/aws/ports.ts';
import { anSdkError } from './unit-builders.ts';

export type RedshiftCall =
  | { op: 'getClusterCredentials'; session: RoleSession; input: ClusterCredentialsInput }
  | { op: 'getClusterCredentialsWithIam'; session: RoleSession; input: ClusterCredentialsWithIamInput }
  | { op: 'describeClusterEndpoint'; session: RoleSession; region: string; clusterIdentifier: string }
  | { op: 'getServerlessCredentials'; session: RoleSession; input: ServerlessCredentialsInput }
  | { op: 'getWorkgroupEndpoint'; session: RoleSession; region: string; workgroupName: string };

export interface FakeRedshift extends RedshiftApi {
  readonly calls: RedshiftCall[];
  callsTo<K extends RedshiftCall['op']>(op: K): Array<Extract<RedshiftCall, { op: K }>>;
  failWith(op: RedshiftCall['op'], sdkName: string): void;
}

export interface FakeRedshiftOptions {
  now?: () => Date;
  clusterEndpoint?: Endpoint;
  workgroupEndpoint?: Endpoint;
  dbPassword?: string;
}

const OPERATION: Record<RedshiftCall['op'], string> = {
  getClusterCredentials: 'GetClusterCredentials',
  getClusterCredentialsWithIam: 'GetClusterCredentialsWithIAM',
  describeClusterEndpoint: 'DescribeClusters',
  getServerlessCredentials: 'GetCredentials',
  getWorkgroupEndpoint: 'GetWorkgroup',
};

export function createFakeRedshift(options: FakeRedshiftOptions = {}): FakeRedshift {
  const now = options.now ?? (() => new Date('2030-01-01T00:00:00.000Z'));
  const password = options.dbPassword ?? 'AbC/dE+fG==';
  const calls: RedshiftCall[] = [];
  const failures = new Map<RedshiftCall['op'], string>();

  const record = (call: RedshiftCall): string => {
    calls.push(call);
    const failure = failures.get(call.op);
    if (failure !== undefined) {
      throw mapAwsError(anSdkError(failure, { requestId: `req-${calls.length}` }), {
        operation: OPERATION[call.op],
        roleArn: call.session.assumedRoleArn,
      });
    }
    return `req-${calls.length}`;
  };
  const credentials = (dbUser: string, durationSeconds: number): DbCredentials => ({
    dbUser,
    dbPassword: password,
    expiration: new Date(now().getTime() + durationSeconds * 1000),
  });

  return {
    calls,
    callsTo<K extends RedshiftCall['op']>(op: K) {
      return calls.filter((c): c is Extract<RedshiftCall, { op: K }> => c.op === op);
    },
    failWith(op, sdkName) {
      failures.set(op, sdkName);
    },
    async getClusterCredentials(session, input) {
      const requestId = record({ op: 'getClusterCredentials', session, input: structuredClone(input) });
      // Like AWS: the returned DbUser carries the IAM: prefix (IAMA: with AutoCreate).
      return {
        value: credentials(`${input.autoCreate ? 'IAMA' : 'IAM'}:${input.dbUser}`, input.durationSeconds),
        requestId,
      };
    },
    async getClusterCredentialsWithIam(session, input) {
      const requestId = record({ op: 'getClusterCredentialsWithIam', session, input: structuredClone(input) });
      return { value: credentials('IAMR:RedshiftAnalyst', input.durationSeconds), requestId };
    },
    async describeClusterEndpoint(session, region, clusterIdentifier) {
      const requestId = record({ op: 'describeClusterEndpoint', session, region, clusterIdentifier });
      return {
        value: options.clusterEndpoint ?? {
          host: `${clusterIdentifier}.abc123.${region}.redshift.amazonaws.com`,
          port: 5439,
        },
        requestId,
      };
    },
    async getServerlessCredentials(session, input) {
      const requestId = record({ op: 'getServerlessCredentials', session, input: structuredClone(input) });
      return { value: credentials('IAMR:RedshiftAnalyst', input.durationSeconds), requestId };
    },
    async getWorkgroupEndpoint(session, region, workgroupName) {
      const requestId = record({ op: 'getWorkgroupEndpoint', session, region, workgroupName });
      return {
        value: options.workgroupEndpoint ?? {
          host: `${workgroupName}.${ACCOUNT_HOST}.${region}.redshift-serverless.amazonaws.com`,
          port: 5439,
        },
        requestId,
      };
    },
  };
}

const ACCOUNT_HOST = '123456789012';
