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

const cases: Array<{ name: string; err: unknown; ctx: AwsCallContext; code: string; status: number }> = [
  {
    name: 'AccessDenied on AssumeRoleWithSAML',
    err: anSdkError('AccessDenied', { httpStatusCode: 403 }),
    ctx: sts,
    code: 'AWS_ACCESS_DENIED',
    status: 403,
  },
  {
    name: 'AccessDenied on GetClusterCredentials',
    err: anSdkError('AccessDenied', { httpStatusCode: 403 }),
    ctx: redshift,
    code: 'AWS_ACCESS_DENIED',
    status: 403,
  },
  {
    name: 'AccessDeniedException on GetCredentials',
    err: anSdkError('AccessDeniedException', { httpStatusCode: 403 }),
    ctx: serverless,
    code: 'AWS_ACCESS_DENIED',
    status: 403,
  },
  {
    name: 'UnauthorizedOperation on DescribeClusters',
    err: anSdkError('UnauthorizedOperation', { httpStatusCode: 403 }),
    ctx: describeClusters,
    code: 'AWS_ACCESS_DENIED',
    status: 403,
  },
  {
    name: 'ExpiredTokenException on STS',
    err: anSdkError('ExpiredTokenException'),
    ctx: sts,
    code: 'AWS_SAML_EXPIRED',
    status: 401,
  },
  {
    name: 'ExpiredTokenException on Redshift',
    err: anSdkError('ExpiredTokenException'),
    ctx: redshift,
    code: 'AWS_SESSION_EXPIRED',
    status: 401,
  },
  {
    name: 'ExpiredToken on Redshift Serverless',
    err: anSdkError('ExpiredToken'),
    ctx: serverless,
    code: 'AWS_SESSION_EXPIRED',
    status: 401,
  },
  {
    name: 'InvalidClientTokenId on Redshift',
    err: anSdkError('InvalidClientTokenId', { httpStatusCode: 403 }),
    ctx: redshift,
    code: 'AWS_SESSION_EXPIRED',
    status: 401,
  },
  {
    name: 'UnrecognizedClientException on Redshift',
    err: anSdkError('UnrecognizedClientException'),
    ctx: redshift,
    code: 'AWS_SESSION_EXPIRED',
    status: 401,
  },
  {
    name: 'InvalidIdentityTokenException on STS',
    err: anSdkError('InvalidIdentityTokenException'),
    ctx: sts,
    code: 'AWS_SAML_REJECTED',
    status: 401,
  },
  {
    name: 'IDPRejectedClaimException on STS',
    err: anSdkError('IDPRejectedClaimException'),
    ctx: sts,
    code: 'AWS_SAML_REJECTED',
    status: 401,
  },
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
  {
    name: 'ClusterNotFoundFault',
    err: anSdkError('ClusterNotFoundFault', { httpStatusCode: 404 }),
    ctx: redshift,
    code: 'AWS_CLUSTER_NOT_FOUND',
    status: 404,
  },
  {
    name: 'ResourceNotFoundException',
    err: anSdkError('ResourceNotFoundException', { httpStatusCode: 404 }),
    ctx: serverless,
    code: 'AWS_WORKGROUP_NOT_FOUND',
    status: 404,
  },
  {
    name: 'ThrottlingException',
    err: anSdkError('ThrottlingException'),
    ctx: redshift,
    code: 'AWS_UNAVAILABLE',
    status: 502,
  },
  {
    name: 'Throttling (the STS spelling)',
    err: anSdkError('Throttling'),
    ctx: sts,
    code: 'AWS_UNAVAILABLE',
    status: 502,
  },
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
  {
    name: 'an unknown service error',
    err: anSdkError('InvalidParameterCombination'),
    ctx: redshift,
    code: 'AWS_ERROR',
    status: 502,
  },
  { name: 'a thrown string', err: 'weird', ctx: redshift, code: 'AWS_ERROR', status: 502 },
  {
    name: 'InvalidClientTokenId on STS (not a role session)',
    err: anSdkError('InvalidClientTokenId'),
    ctx: sts,
    code: 'AWS_ERROR',
    status: 502,
  },
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
