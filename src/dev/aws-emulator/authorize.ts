// Whether a signed call may act on the resources it names, as far as the caller's session policy
// goes: every (action, resource ARN) the call needs must be allowed by it. A session without a
// policy has its role's permissions, which the emulator does not model: it allows them all.
import { roleNameOf, type StsSession } from './sts.ts';
import { decide } from './session-policy.ts';
import { AwsFault } from './wire.ts';

/** A verified caller: its STS session and the region it signed for. */
export interface Caller {
  session: StsSession;
  region: string;
}

export interface PermissionRequest {
  /** `service:Operation`, as IAM names it. */
  action: string;
  resource: string;
}

export function redshiftArn(caller: Caller, resource: string): string {
  const { partition, account } = ownerOf(caller);
  return `arn:${partition}:redshift:${caller.region}:${account}:${resource}`;
}

export function workgroupArn(caller: Caller, workgroupId: string): string {
  const { partition, account } = ownerOf(caller);
  return `arn:${partition}:redshift-serverless:${caller.region}:${account}:workgroup/${workgroupId}`;
}

/**
 * Throws the service's AccessDenied (awsQuery) or AccessDeniedException (awsJson), 403, at the first request not
 * allowed.
 */
export function authorize(caller: Caller, requests: readonly PermissionRequest[]): void {
  const policy = caller.session.policy;
  if (policy === undefined) return;
  for (const { action, resource } of requests) {
    const decision = decide(policy, action, resource);
    if (decision === 'allow') continue;
    const { partition, account } = ownerOf(caller);
    const user = `arn:${partition}:sts::${account}:assumed-role/${roleNameOf(caller.session.roleArn)}/${caller.session.roleSessionName}`;
    const reason =
      decision === 'explicit-deny'
        ? 'with an explicit deny in a session policy'
        : `because no session policy allows the ${action} action`;
    const code = action.startsWith('redshift-serverless:') ? 'AccessDeniedException' : 'AccessDenied';
    throw new AwsFault(
      code,
      `User: ${user} is not authorized to perform: ${action} on resource: ${resource} ${reason}`,
      403,
    );
  }
}

/** The account the caller's role (and so its session) belongs to. */
export function callerAccount(caller: Caller): string {
  return ownerOf(caller).account;
}

function ownerOf(caller: Caller): { partition: string; account: string } {
  const [, partition = 'aws', , , account = ''] = caller.session.roleArn.split(':');
  return { partition, account };
}
