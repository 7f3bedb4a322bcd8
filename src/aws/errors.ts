// Maps AWS SDK errors to the service's error kinds in one place, with text an admin can act on
// (which role, cluster and DbUser; which permission or trust-policy condition is likely missing).
// AWS's own message goes to logs, and is shown only where it tells the person what to fix (STS's
// reasons for refusing a SAML response); it never carries credentials.
import { AppError, AwsAccessDenied, Unauthorized, UpstreamUnavailable, NotFound, BadRequest } from '../errors.ts';

export interface AwsCallContext {
  operation: string;
  roleArn?: string;
  principalArn?: string;
  clusterIdentifier?: string;
  workgroup?: string;
  dbUser?: string;
  region?: string;
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  code?: string;
}

// The role session's keys were not accepted: as good as expired for the person signing in.
const SESSION_INVALID = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
]);
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);
const NETWORK = new Set([
  'TimeoutError',
  'AbortError',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'RequestTimeout',
]);

export function mapAwsError(err: unknown, ctx: AwsCallContext): AppError {
  if (err instanceof AppError) return err;
  const failure = describeFailure(err, ctx);
  const rule = RULES.find((r) => r.when(failure));
  if (rule !== undefined) return rule.then(failure);
  return new AppError({
    code: 'AWS_ERROR',
    status: 502,
    expose: true,
    publicMessage: `AWS refused ${ctx.operation} (${failure.name.slice(0, 80)}).`,
    cause: err,
    details: failure.details,
  });
}

/** What the rules look at: the SDK error's fields, and the details every mapped error carries. */
function describeFailure(err: unknown, ctx: AwsCallContext) {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const name = e.name ?? 'Error';
  const awsMessage = (e.message ?? '').slice(0, 500);
  const details = {
    operation: ctx.operation,
    awsCode: name,
    awsMessage,
    awsRequestId: e.$metadata?.requestId,
    roleArn: ctx.roleArn,
    clusterIdentifier: ctx.clusterIdentifier,
    workgroup: ctx.workgroup,
    dbUser: ctx.dbUser,
  };
  return { err, e, ctx, name, awsMessage, details, role: ctx.roleArn ?? 'the role' };
}

type Failure = ReturnType<typeof describeFailure>;

// Checked in order; the first that matches makes the error.
const RULES: { when: (f: Failure) => boolean; then: (f: Failure) => AppError }[] = [
  {
    when: ({ name }) => /^AccessDenied/.test(name) || name === 'UnauthorizedOperation',
    then: ({ err, ctx, awsMessage, role, details }) => {
      // AWS names the session policy when it, not the role's policies, refused the call.
      const bySessionPolicy = ctx.operation !== 'AssumeRoleWithSAML' && /session policy/i.test(awsMessage);
      const publicMessage = bySessionPolicy ? sessionPolicyAdvice(ctx, role) : accessDeniedAdvice(ctx, role);
      return new AwsAccessDenied({ code: 'AWS_ACCESS_DENIED', publicMessage, cause: err, details });
    },
  },
  {
    when: ({ name, ctx }) =>
      name === 'ExpiredTokenException' ||
      name === 'ExpiredToken' ||
      (ctx.operation !== 'AssumeRoleWithSAML' && SESSION_INVALID.has(name)),
    then: ({ err, ctx, details }) =>
      ctx.operation === 'AssumeRoleWithSAML'
        ? new Unauthorized({
            code: 'AWS_SAML_EXPIRED',
            publicMessage:
              'AWS says the sign-in response is too old (STS redeems it only within 5 minutes of issue). Sign in again.',
            cause: err,
            details,
          })
        : new Unauthorized({
            code: 'AWS_SESSION_EXPIRED',
            publicMessage: 'Your AWS role session has expired. Sign in again to get a new one.',
            cause: err,
            details,
          }),
  },
  {
    when: ({ name }) =>
      name === 'InvalidIdentityTokenException' ||
      name === 'IDPRejectedClaimException' ||
      name === 'InvalidIdentityToken' ||
      name === 'IDPRejectedClaim',
    then: ({ err, ctx, name, awsMessage, role, details }) =>
      new Unauthorized({
        code: 'AWS_SAML_REJECTED',
        publicMessage: `AWS STS refused the sign-in response for ${role}: ${awsMessage || name}. Check that the IAM SAML provider ${ctx.principalArn ?? ''} holds this IdP's current metadata and that the assertion carries RoleSessionName.`,
        cause: err,
        details,
      }),
  },
  {
    when: ({ name, awsMessage }) => name === 'ValidationError' && /DurationSeconds exceeds/i.test(awsMessage),
    then: ({ err, role, details }) =>
      new BadRequest({
        code: 'AWS_DURATION_TOO_LONG',
        publicMessage: `The requested session is longer than ${role} allows (its MaxSessionDuration).`,
        cause: err,
        details,
      }),
  },
  {
    when: ({ name }) => name === 'ClusterNotFoundFault' || name === 'ClusterNotFound',
    then: ({ err, ctx, details }) =>
      new NotFound({
        code: 'AWS_CLUSTER_NOT_FOUND',
        publicMessage: `Redshift has no cluster "${ctx.clusterIdentifier ?? ''}" in ${ctx.region ?? 'this region'} (identifiers are case-sensitive). Check the cluster entry in the configuration.`,
        cause: err,
        details,
      }),
  },
  {
    when: ({ name }) => name === 'ResourceNotFoundException',
    then: ({ err, ctx, details }) =>
      new NotFound({
        code: 'AWS_WORKGROUP_NOT_FOUND',
        publicMessage: `Redshift Serverless has no workgroup "${ctx.workgroup ?? ''}" in ${ctx.region ?? 'this region'}.`,
        cause: err,
        details,
      }),
  },
  {
    when: ({ name, e }) =>
      THROTTLING.has(name) ||
      e.$fault === 'server' ||
      (e.$metadata?.httpStatusCode ?? 0) >= 500 ||
      NETWORK.has(name) ||
      (e.code !== undefined && NETWORK.has(e.code)),
    then: ({ err, ctx, details }) =>
      new UpstreamUnavailable({
        code: 'AWS_UNAVAILABLE',
        publicMessage: `AWS did not answer ${ctx.operation} in time or is busy. Try again in a moment.`,
        cause: err,
        details,
      }),
  },
];

function sessionPolicyAdvice(ctx: AwsCallContext, role: string): string {
  const target =
    ctx.workgroup !== undefined ? `workgroup "${ctx.workgroup}"` : `cluster "${ctx.clusterIdentifier ?? ''}"`;
  return `Your session for ${role} does not cover ${ctx.operation} on ${target}: this service limits each role session to the clusters its role could use when you signed in, and to your own DbUser. If the cluster entry changed since, sign in again.`;
}

function accessDeniedAdvice(ctx: AwsCallContext, role: string): string {
  switch (ctx.operation) {
    case 'AssumeRoleWithSAML':
      return `AWS refused to let ${role} be assumed with this sign-in. Make sure the role's trust policy allows sts:AssumeRoleWithSAML (and sts:TagSession if session tags are sent) for ${ctx.principalArn ?? 'the SAML provider'}, and that its SAML:aud condition equals this service's ACS URL.`;
    case 'GetClusterCredentials':
      return `Role ${role} may not get credentials for DbUser "${ctx.dbUser ?? ''}" on cluster "${ctx.clusterIdentifier ?? ''}". Make sure its policy allows redshift:GetClusterCredentials on arn:aws:redshift:${ctx.region ?? 'REGION'}:ACCOUNT:dbuser:${ctx.clusterIdentifier ?? 'CLUSTER'}/${ctx.dbUser ?? 'DBUSER'} and the dbname, plus redshift:JoinGroup for DbGroups and redshift:CreateClusterUser for AutoCreate.`;
    case 'GetClusterCredentialsWithIAM':
      return `Role ${role} may not get IAM-mapped credentials on cluster "${ctx.clusterIdentifier ?? ''}". Make sure its policy allows redshift:GetClusterCredentialsWithIAM on arn:aws:redshift:${ctx.region ?? 'REGION'}:ACCOUNT:dbname:${ctx.clusterIdentifier ?? 'CLUSTER'}/DATABASE.`;
    case 'GetCredentials':
      return `Role ${role} may not get credentials for workgroup "${ctx.workgroup ?? ''}". Make sure its policy allows redshift-serverless:GetCredentials on that workgroup.`;
    default:
      return `Role ${role} may not call ${ctx.operation}. Make sure its policy allows it, or set host and port in the cluster entry.`;
  }
}
