// Admin use cases for clusters entered in the console: save (validated like a configuration
// entry, with every problem by field) and remove. Entries from the configuration file are read-only.
import { AppError, Forbidden, NotFound } from '../errors.ts';
import { clusterSchema } from '../config/schema-cluster.ts';
import { formatIssues } from '../config/load.ts';
import { crossFieldProblems } from '../config/rules.ts';
import type { ConnectionRecords } from '../store/ports.ts';
import type { ConnectionRegistry } from '../connections/connection-registry.ts';
import type { AdminAuditor } from '../audit/admin-audit.ts';

export class ClusterInvalid extends AppError {
  constructor(readonly problems: string[]) {
    super({ code: 'CLUSTER_INVALID', status: 400, publicMessage: problems.join('; ') });
  }
}

export class ClusterAdmin {
  constructor(
    private readonly deps: {
      store: ConnectionRecords;
      registry: ConnectionRegistry;
      audit: AdminAuditor;
      now: () => Date;
      production: boolean;
    },
  ) {}

  async save(entry: Record<string, unknown>, actor: string): Promise<void> {
    const parsed = clusterSchema.safeParse(entry);
    const problems = parsed.success ? [] : formatIssues(parsed.error);
    // The same cross-field rules as the configuration file, reported without the file's path prefix.
    const rules = crossFieldProblems({
      mode: this.deps.production ? 'production' : 'development',
      clusters: [entry],
    }).map((p) => p.replace(/^clusters\[0\]\./, ''));
    problems.push(...rules.filter((p) => !problems.includes(p)));
    if (problems.length > 0) throw new ClusterInvalid(problems);
    const id = String(entry.id);
    const snapshot = await this.deps.registry.refresh();
    if (snapshot.source('cluster', id) === 'config') throw managed(id);
    const existing = snapshot.records.clusters.find((r) => r.id === id);
    const ok = await this.deps.store.putConnection(
      { kind: 'cluster', id, entry, updatedAt: this.deps.now(), updatedBy: actor },
      existing?.version ?? 0,
    );
    if (!ok)
      throw new AppError({
        code: 'EDIT_CONFLICT',
        status: 409,
        publicMessage: 'Someone else changed this cluster at the same time. Reload and try again.',
      });
    await this.deps.audit.changed(actor, 'cluster', id, existing?.entry, entry);
    await this.deps.registry.refresh();
  }

  async remove(id: string, actor: string): Promise<void> {
    const snapshot = await this.deps.registry.refresh();
    if (snapshot.source('cluster', id) === 'config') throw managed(id);
    const existing = snapshot.records.clusters.find((r) => r.id === id);
    if (existing === undefined || !(await this.deps.store.deleteConnection('cluster', id)))
      throw new NotFound({ code: 'CLUSTER_UNKNOWN', publicMessage: `There is no cluster "${id.slice(0, 64)}".` });
    await this.deps.audit.changed(actor, 'cluster', id, existing.entry, undefined);
    await this.deps.registry.refresh();
  }
}

function managed(id: string): Forbidden {
  return new Forbidden({
    code: 'MANAGED_BY_CONFIGURATION',
    publicMessage: `Cluster "${id}" is managed by the configuration file and cannot be changed here.`,
  });
}
