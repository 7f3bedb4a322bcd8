// Which clusters a role may reach: the `roles` list of each cluster entry. The one place that
// answers "is this role allowed here", for the chooser pages and for every credential request.
import { BadRequest, RoleNotPermitted, NotFound } from '../errors.ts';
import type { ClusterConfig } from '../config/schema.ts';

export function clustersForRole(clusters: readonly ClusterConfig[], roleArn: string): ClusterConfig[] {
  return clusters.filter((c) => c.roles.includes(roleArn));
}

export function roleMayUseAnyCluster(clusters: readonly ClusterConfig[], roleArn: string): boolean {
  return clusters.some((c) => c.roles.includes(roleArn));
}

export function requireClusterForRole(
  clusters: readonly ClusterConfig[],
  clusterId: string,
  roleArn: string,
): ClusterConfig {
  const cluster = clusters.find((c) => c.id === clusterId);
  if (cluster === undefined)
    throw new NotFound({ code: 'CLUSTER_UNKNOWN', publicMessage: `There is no cluster "${clusterId.slice(0, 64)}".` });
  if (!cluster.roles.includes(roleArn)) {
    throw new RoleNotPermitted({
      code: 'ROLE_NOT_PERMITTED',
      publicMessage: `Role ${roleArn} may not use cluster "${cluster.id}".`,
      details: { roleArn, clusterId },
    });
  }
  return cluster;
}

/** Without an explicit role, the one ready role that may use the cluster; several is ambiguous. */
export function onlyRoleForCluster(
  readyRoleArns: readonly string[],
  clusters: readonly ClusterConfig[],
  clusterId: string,
): string {
  const cluster = clusters.find((c) => c.id === clusterId);
  if (cluster === undefined)
    throw new NotFound({ code: 'CLUSTER_UNKNOWN', publicMessage: `There is no cluster "${clusterId.slice(0, 64)}".` });
  const candidates = readyRoleArns.filter((roleArn) => cluster.roles.includes(roleArn));
  if (candidates.length === 1 && candidates[0] !== undefined) return candidates[0];
  if (candidates.length === 0)
    throw new RoleNotPermitted({
      code: 'ROLE_NOT_PERMITTED',
      publicMessage: `None of your roles may use cluster "${cluster.id}".`,
    });
  throw new BadRequest({
    code: 'ROLE_REQUIRED',
    publicMessage: `Several of your roles may use "${cluster.id}"; say which with "role".`,
  });
}

/** `arn:aws:iam::123456789012:role/Name` -> `123456789012`; undefined for anything else. */
export function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

/** The accounts a cluster's roles belong to, sorted and without repeats. */
export function accountsOf(cluster: Pick<ClusterConfig, 'roles'>): string[] {
  return [...new Set(cluster.roles.map(accountOfArn).filter((a): a is string => a !== undefined))].sort();
}

export function regionOf(cluster: Pick<ClusterConfig, 'region'>, defaultRegion: string): string {
  return cluster.region ?? defaultRegion;
}
