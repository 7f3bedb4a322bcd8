// AWS SDK errors -> the service's error kinds: code, status, remediation text an admin can act on,
// the request ID kept for logs, and AWS's own message kept out of what users see on denials.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapAwsError, type AwsCallContext } from '../../../src/aws/errors.ts';
import { AppError } from '../../../src/errors.ts';
import { anSdkError } from '../../support/unit-builders.ts';

const ROLE = 'arn:aws:iam::123456789012:role/RedshiftAnalyst';
const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/TestIdP';
const sts: AwsCallContext = { operation: 'AssumeRoleWithSAML', roleArn: ROLE, principalArn: PROVIDER };
const redshift: AwsCallContext = {
  operation: 'GetClusterCredentials',
  roleArn: ROLE,
  clusterIdentifier: 'analytics-cluster',
  dbUser: 'alice',
  region: 'eu-west-1',
};
const serverless: AwsCallContext = {
  operation: 'GetCredentials',
  roleArn: ROLE,
  workgroup: 'analytics-wg',
  region: 'eu-west-1',
};
const describeClusters: AwsCallContext = {
  operation: 'DescribeClusters',
  roleArn: ROLE,
  clusterIdentifier: 'analytics-cluster',
  region: 'eu-west-1',
};

const networkError = (code: string): Error => Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });

interface MappingCase {
  name: string;
  err: unknown;
  ctx: AwsCallContext;
  code: string;
  status: number;
}
/** The SDK error `sdkName` (with that HTTP status, if given) on the call `ctx` maps to `code` and `status`. */
const sdkCase = (
  name: string,
  sdkName: string,
  ctx: AwsCallContext,
  code: string,
  status: number,
  httpStatusCode?: number,
): MappingCase => ({
  name,
  err: anSdkError(sdkName, httpStatusCode === undefined ? {} : { httpStatusCode }),
  ctx,
  code,
  status,
});

const cases: MappingCase[] = [
  sdkCase('AccessDenied on AssumeRoleWithSAML', 'AccessDenied', sts, 'AWS_ACCESS_DENIED', 403, 403),
  sdkCase('AccessDenied on GetClusterCredentials', 'AccessDenied', redshift, 'AWS_ACCESS_DENIED', 403, 403),
  sdkCase(
    'AccessDeniedException on GetCredentials',
    'AccessDeniedException',
    serverless,
    'AWS_ACCESS_DENIED',
    403,
    403,
  ),
  sdkCase(
    'UnauthorizedOperation on DescribeClusters',
    'UnauthorizedOperation',
    describeClusters,
    'AWS_ACCESS_DENIED',
    403,
    403,
  ),
  sdkCase('ExpiredTokenException on STS', 'ExpiredTokenException', sts, 'AWS_SAML_EXPIRED', 401),
  sdkCase('ExpiredTokenException on Redshift', 'ExpiredTokenException', redshift, 'AWS_SESSION_EXPIRED', 401),
  sdkCase('ExpiredToken on Redshift Serverless', 'ExpiredToken', serverless, 'AWS_SESSION_EXPIRED', 401),
  sdkCase('InvalidClientTokenId on Redshift', 'InvalidClientTokenId', redshift, 'AWS_SESSION_EXPIRED', 401, 403),
  sdkCase(
    'UnrecognizedClientException on Redshift',
    'UnrecognizedClientException',
    redshift,
    'AWS_SESSION_EXPIRED',
    401,
  ),
  sdkCase('InvalidIdentityTokenException on STS', 'InvalidIdentityTokenException', sts, 'AWS_SAML_REJECTED', 401),
  sdkCase('IDPRejectedClaimException on STS', 'IDPRejectedClaimException', sts, 'AWS_SAML_REJECTED', 401),
  {
    name: 'ValidationError for a too long DurationSeconds',
    err: anSdkError('ValidationError', {
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    }),
    ctx: sts,
    code: 'AWS_DURATION_TOO_LONG',
    status: 400,
  },
  {
    name: 'another ValidationError',
    err: anSdkError('ValidationError', {
      message: '1 validation error detected: Value at roleArn failed to satisfy constraint',
    }),
    ctx: sts,
    code: 'AWS_ERROR',
    status: 502,
  },
  sdkCase('ClusterNotFoundFault', 'ClusterNotFoundFault', redshift, 'AWS_CLUSTER_NOT_FOUND', 404, 404),
  sdkCase('ResourceNotFoundException', 'ResourceNotFoundException', serverless, 'AWS_WORKGROUP_NOT_FOUND', 404, 404),
  sdkCase('ThrottlingException', 'ThrottlingException', redshift, 'AWS_UNAVAILABLE', 502),
  sdkCase('Throttling (the STS spelling)', 'Throttling', sts, 'AWS_UNAVAILABLE', 502),
  {
    name: 'a 503 server fault',
    err: anSdkError('ServiceUnavailable', { fault: 'server', httpStatusCode: 503 }),
    ctx: sts,
    code: 'AWS_UNAVAILABLE',
    status: 502,
  },
  {
    name: 'a 500 without $fault',
    err: Object.assign(new Error('boom'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }),
    ctx: redshift,
    code: 'AWS_UNAVAILABLE',
    status: 502,
  },
  {
    name: 'TimeoutError',
    err: Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }),
    ctx: sts,
    code: 'AWS_UNAVAILABLE',
    status: 502,
  },
  {
    name: 'AbortError',
    err: Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }),
    ctx: redshift,
    code: 'AWS_UNAVAILABLE',
    status: 502,
  },
  { name: 'ECONNREFUSED', err: networkError('ECONNREFUSED'), ctx: sts, code: 'AWS_UNAVAILABLE', status: 502 },
  { name: 'ENOTFOUND', err: networkError('ENOTFOUND'), ctx: redshift, code: 'AWS_UNAVAILABLE', status: 502 },
  sdkCase('an unknown service error', 'InvalidParameterCombination', redshift, 'AWS_ERROR', 502),
  { name: 'a thrown string', err: 'weird', ctx: redshift, code: 'AWS_ERROR', status: 502 },
  sdkCase('InvalidClientTokenId on STS (not a role session)', 'InvalidClientTokenId', sts, 'AWS_ERROR', 502),
];

describe('mapAwsError', () => {
  for (const c of cases) {
    it(`maps ${c.name} to ${c.code} (${c.status})`, () => {
      const mapped = mapAwsError(c.err, c.ctx);
      assert.ok(mapped instanceof AppError);
      assert.equal(mapped.code, c.code);
      assert.equal(mapped.status, c.status);
      assert.equal(mapped.cause, c.err);
      assert.equal(mapped.details.operation, c.ctx.operation);
      // Every one of these is ours to explain; none is a bare 500.
      assert.equal(mapped.expose, true);
    });
  }

  it('keeps the AWS request ID and error name in details', () => {
    const mapped = mapAwsError(anSdkError('ThrottlingException', { requestId: 'c0ffee-1234' }), redshift);
    assert.equal(mapped.details.awsRequestId, 'c0ffee-1234');
    assert.equal(mapped.details.awsCode, 'ThrottlingException');
  });

  it('returns an AppError unchanged', () => {
    const original = new AppError({ code: 'BAD_REQUEST', publicMessage: 'x' });
    assert.equal(mapAwsError(original, sts), original);
  });

  const RAW = 'User: arn:aws:sts::123456789012:assumed-role/X/y is not authorized RAW-AWS-TEXT-7f3a';

  it('explains a denied AssumeRoleWithSAML: the role, its trust policy and SAML:aud', () => {
    const mapped = mapAwsError(anSdkError('AccessDenied', { message: RAW, httpStatusCode: 403 }), sts);
    assert.ok(mapped.publicMessage.includes(ROLE), mapped.publicMessage);
    assert.match(mapped.publicMessage, /trust policy/);
    assert.match(mapped.publicMessage, /SAML:aud/);
    assert.ok(mapped.publicMessage.includes(PROVIDER), mapped.publicMessage);
    assert.equal(mapped.publicMessage.includes('RAW-AWS-TEXT'), false);
    assert.equal(mapped.details.awsMessage, RAW);
  });

  it('explains a denied GetClusterCredentials: role, cluster, DbUser and the permission', () => {
    const mapped = mapAwsError(anSdkError('AccessDenied', { message: RAW, httpStatusCode: 403 }), redshift);
    for (const part of [
      ROLE,
      '"analytics-cluster"',
      '"alice"',
      'redshift:GetClusterCredentials',
      'dbuser:analytics-cluster/alice',
    ]) {
      assert.ok(mapped.publicMessage.includes(part), `missing ${part}: ${mapped.publicMessage}`);
    }
    assert.equal(mapped.publicMessage.includes('RAW-AWS-TEXT'), false);
  });

  it('says when the session policy, not the role, refused the call, and how to get a wider session', () => {
    const bySessionPolicy =
      'User: arn:aws:sts::123456789012:assumed-role/X/y is not authorized to perform: redshift:GetClusterCredentials on resource: R because no session policy allows the redshift:GetClusterCredentials action';
    const mapped = mapAwsError(anSdkError('AccessDenied', { message: bySessionPolicy, httpStatusCode: 403 }), redshift);
    assert.equal(mapped.code, 'AWS_ACCESS_DENIED');
    assert.match(mapped.publicMessage, /sign in again/);
    assert.ok(mapped.publicMessage.includes('"analytics-cluster"'), mapped.publicMessage);
    assert.equal(mapped.publicMessage.includes('assumed-role'), false);
    const serverlessDenial = mapAwsError(
      anSdkError('AccessDeniedException', { message: 'denied with an explicit deny in a session policy' }),
      serverless,
    );
    assert.ok(serverlessDenial.publicMessage.includes('"analytics-wg"'), serverlessDenial.publicMessage);
  });

  it('explains a denied GetCredentials with the workgroup', () => {
    const mapped = mapAwsError(anSdkError('AccessDeniedException', { message: RAW }), serverless);
    assert.ok(mapped.publicMessage.includes('analytics-wg'));
    assert.match(mapped.publicMessage, /redshift-serverless:GetCredentials/);
    assert.equal(mapped.publicMessage.includes('RAW-AWS-TEXT'), false);
  });

  it('keeps AWS messages out of the unavailable and generic messages', () => {
    for (const err of [
      anSdkError('ThrottlingException', { message: RAW }),
      anSdkError('SomethingNew', { message: RAW }),
      anSdkError('ExpiredTokenException', { message: RAW }),
    ]) {
      const mapped = mapAwsError(err, redshift);
      assert.equal(mapped.publicMessage.includes('RAW-AWS-TEXT'), false, mapped.code);
    }
  });

  it('names the cluster and region when the cluster is not found', () => {
    const mapped = mapAwsError(anSdkError('ClusterNotFoundFault'), redshift);
    assert.ok(mapped.publicMessage.includes('"analytics-cluster"'));
    assert.ok(mapped.publicMessage.includes('eu-west-1'));
  });
});
