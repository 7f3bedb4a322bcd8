// The clusters and workgroups the emulator holds, and how a call finds one: by name, in the
// caller's own account and the region its request was signed for (as AWS scopes every lookup).
import { createHash } from 'node:crypto';
import { callerAccount, type Caller } from './authorize.ts';
import { AwsFault } from './wire.ts';

/** Where a resource lives: calls signed for another region, or with another account's session, do not see it. */
export interface EmulatorPlacement {
  /** Unset: every region (the single-region tests). */
  region?: string;
  /** The 12-digit owning account; unset: every account. */
  accountId?: string;
}

export interface EmulatorCluster extends EmulatorPlacement {
  clusterIdentifier: string;
  customDomainName?: string;
  host: string;
  port: number;
  /** ClusterStatus in DescribeClusters; default `available`. */
  status?: string;
}

export interface EmulatorWorkgroup extends EmulatorPlacement {
  workgroupName: string;
  /** The ID in the workgroup's ARN; default a UUID derived from the name. */
  workgroupId?: string;
  host: string;
  port: number;
  /** status in GetWorkgroup; default `AVAILABLE`. */
  status?: string;
}

const WORKGROUP_PATTERN = /^[a-z0-9-]{3,64}$/;

/** The named workgroup of the caller's account in the region it signed for. */
export function findWorkgroup(
  params: Record<string, unknown>,
  caller: Caller,
  ctx: { workgroups: readonly EmulatorWorkgroup[] },
): EmulatorWorkgroup {
  const name = params.workgroupName;
  if (typeof name !== 'string' || !WORKGROUP_PATTERN.test(name)) {
    throw new AwsFault('ValidationException', 'workgroupName must be 3-64 characters of a-z, 0-9 and -');
  }
  const workgroup = ctx.workgroups.find((w) => w.workgroupName === name && placedFor(w, caller));
  if (!workgroup) throw new AwsFault('ResourceNotFoundException', `Workgroup ${name} not found.`);
  return workgroup;
}

export function findCluster(
  ctx: { clusters: readonly EmulatorCluster[] },
  caller: Caller,
  identifier: string | undefined,
  customDomain?: string,
): EmulatorCluster | undefined {
  const visible = ctx.clusters.filter((cluster) => placedFor(cluster, caller));
  // ClusterIdentifier is case-sensitive; a custom domain name is a DNS name (case-insensitive).
  if (customDomain !== undefined) {
    return visible.find((cluster) => cluster.customDomainName?.toLowerCase() === customDomain.toLowerCase());
  }
  return visible.find((cluster) => cluster.clusterIdentifier === identifier);
}

/** A resource is seen only from its own account, through the region it lives in. */
export function placedFor(resource: EmulatorPlacement, caller: Caller): boolean {
  const inRegion = resource.region === undefined || resource.region === caller.region;
  return inRegion && (resource.accountId === undefined || resource.accountId === callerAccount(caller));
}

/** Workgroup ARNs carry an ID, not the name: a stable UUID-shaped one unless the test gives it. */
export function workgroupIdOf(workgroup: EmulatorWorkgroup): string {
  if (workgroup.workgroupId !== undefined) return workgroup.workgroupId;
  const hex = createHash('sha256').update(workgroup.workgroupName).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
