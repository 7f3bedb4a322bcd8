// The console's view of clusters across AWS accounts and regions: each cluster under the account
// its roles belong to (the 12 digits in their ARNs), then its region (the entry's, else the
// service's default). A cluster whose roles span accounts is listed under all of them together.
import type { ClusterConfig } from '../config/schema.ts';
import { accountsOf, regionOf } from '../credentials/cluster-access.ts';

export interface RegionGroup<C> {
  region: string;
  clusters: C[];
}

export interface AccountGroup<C> {
  /** One account ID, or several joined by ", " when the cluster's roles span accounts. */
  account: string;
  regions: Array<RegionGroup<C>>;
}

export function groupClusters<C extends Pick<ClusterConfig, 'id' | 'roles' | 'region'>>(
  clusters: readonly C[],
  defaultRegion: string,
): Array<AccountGroup<C>> {
  const byAccount = new Map<string, Map<string, C[]>>();
  for (const cluster of clusters) {
    const account = accountsOf(cluster).join(', ') || 'unknown account';
    const regions = byAccount.get(account) ?? new Map<string, C[]>();
    byAccount.set(account, regions);
    const region = regionOf(cluster, defaultRegion);
    regions.set(region, [...(regions.get(region) ?? []), cluster]);
  }
  const sorted = <T>(entries: Iterable<[string, T]>) => [...entries].sort(([a], [b]) => a.localeCompare(b));
  return sorted(byAccount).map(([account, regions]) => ({
    account,
    regions: sorted(regions).map(([region, list]) => ({
      region,
      clusters: [...list].sort((a, b) => a.id.localeCompare(b.id)),
    })),
  }));
}
