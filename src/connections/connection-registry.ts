// The live set of IdP connections and clusters: the configuration file's entries (read-only,
// "managed by configuration") merged with those entered in the admin console (in the store).
// Every sign-in asks the store for its change counter first, so a change made on any instance
// takes effect on the next login everywhere, without a restart. An id used by both is an error.
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ClusterConfig, IdpConfig } from '../config/schema.ts';
import { clusterSchema } from '../config/schema-cluster.ts';
import { idpSchema } from '../config/schema-idp.ts';
import type { ConnectionRecord, ConnectionRecords } from '../store/ports.ts';
import type { IdpConnection } from '../saml/idp-connection.ts';
import type { MetadataCache } from './metadata-cache.ts';

export type EntrySource = 'config' | 'console';

export interface RegistrySnapshot {
  idps: IdpConnection[];
  clusters: ClusterConfig[];
  source: (kind: 'idp' | 'cluster', id: string) => EntrySource | undefined;
  records: { idps: ConnectionRecord[]; clusters: ConnectionRecord[] };
}

export interface RegistryOptions {
  /** The configuration file's IdP entries (a disabled one still owns its id). */
  fileIdpEntries: readonly IdpConfig[];
  fileClusters: readonly ClusterConfig[];
  store: ConnectionRecords;
  resolveIdp: (entry: IdpConfig, index: number, metadataXml: string | undefined) => IdpConnection;
  metadata: MetadataCache;
  logger: Logger;
  /** Called with the new IdP list whenever it changed. */
  onIdpsChanged: (idps: IdpConnection[]) => void;
}

export class ConnectionRegistry {
  private version: string | undefined;
  private current: RegistrySnapshot;
  private fileIdps: IdpConnection[] = [];

  constructor(private readonly options: RegistryOptions) {
    this.fileIdps = this.resolveFileIdps();
    this.current = this.build([], []);
  }

  /** Loads the console's entries; at start-up a clash with the configuration file is fatal. */
  async start(): Promise<void> {
    await this.refresh({ strict: true });
  }

  snapshot(): RegistrySnapshot {
    return this.current;
  }

  /** Every metadata URL in use, for the scheduled refresh. */
  metadataUrls(): Array<{ url: string; idpId: string }> {
    const fromFile = this.options.fileIdpEntries.flatMap((e) =>
      e.metadataUrl === undefined ? [] : [{ url: e.metadataUrl, idpId: e.id }],
    );
    const fromConsole = this.current.records.idps.flatMap((r) =>
      typeof r.entry.metadataUrl === 'string' ? [{ url: r.entry.metadataUrl, idpId: r.id }] : [],
    );
    return [...fromFile, ...fromConsole];
  }

  async refresh(options: { strict?: boolean } = {}): Promise<RegistrySnapshot> {
    const version = `${await this.options.store.connectionsVersion()}/${this.options.metadata.version()}`;
    if (version === this.version) return this.current;
    const [idpRecords, clusterRecords] = await Promise.all([
      this.options.store.listConnections('idp'),
      this.options.store.listConnections('cluster'),
    ]);
    await this.options.metadata.ensure(
      idpRecords.flatMap((r) =>
        typeof r.entry.metadataUrl === 'string' ? [{ url: r.entry.metadataUrl, idpId: r.id }] : [],
      ),
    );
    this.fileIdps = this.resolveFileIdps();
    const clashes = [
      ...idpRecords
        .filter((r) => this.options.fileIdpEntries.some((i) => i.id === r.id))
        .map((r) => `idps: id "${r.id}" is used by the configuration file and by the admin console`),
      ...clusterRecords
        .filter((r) => this.options.fileClusters.some((c) => c.id === r.id))
        .map((r) => `clusters: id "${r.id}" is used by the configuration file and by the admin console`),
    ];
    if (clashes.length > 0) {
      if (options.strict === true) throw new ConfigError(clashes);
      this.options.logger.error({ clashes }, 'console entries clash with the configuration file; the file wins');
    }
    this.current = this.build(idpRecords, clusterRecords);
    // Read the counters again: a change that landed while we loaded is picked up next time.
    this.version = version;
    this.options.onIdpsChanged(this.current.idps);
    return this.current;
  }

  private build(idpRecords: ConnectionRecord[], clusterRecords: ConnectionRecord[]): RegistrySnapshot {
    const fileIdpIds = new Set(this.options.fileIdpEntries.map((i) => i.id));
    const fileClusterIds = new Set(this.options.fileClusters.map((c) => c.id));
    const consoleIdps = idpRecords
      .filter((r) => !fileIdpIds.has(r.id))
      .flatMap((record, i) => this.parseIdp(record, this.options.fileIdpEntries.length + i));
    const consoleClusters = clusterRecords
      .filter((r) => !fileClusterIds.has(r.id))
      .flatMap((record) => this.parseCluster(record));
    const consoleIdpIds = new Set(consoleIdps.map((i) => i.id));
    const consoleClusterIds = new Set(consoleClusters.map((c) => c.id));
    return {
      idps: [...this.fileIdps, ...consoleIdps],
      clusters: [...this.options.fileClusters, ...consoleClusters],
      source: (kind, id) => {
        const [file, console] = kind === 'idp' ? [fileIdpIds, consoleIdpIds] : [fileClusterIds, consoleClusterIds];
        return file.has(id) ? 'config' : console.has(id) ? 'console' : undefined;
      },
      records: { idps: idpRecords, clusters: clusterRecords },
    };
  }

  /** The file's entries with the latest metadata; a fetch never breaks them (the cache keeps the last good one). */
  private resolveFileIdps(): IdpConnection[] {
    return this.options.fileIdpEntries.flatMap((entry, index) =>
      !entry.enabled
        ? []
        : [
            this.options.resolveIdp(
              entry,
              index,
              entry.metadataUrl === undefined ? undefined : this.options.metadata.get(entry.metadataUrl),
            ),
          ],
    );
  }

  // A stored entry that no longer validates (a schema change, an expired metadata) is skipped
  // with an error log rather than taking every other connection down with it.
  private parseIdp(record: ConnectionRecord, index: number): IdpConnection[] {
    try {
      const entry = idpSchema.parse(record.entry);
      if (entry.enabled === false) return [];
      return [
        this.options.resolveIdp(
          entry,
          index,
          entry.metadataUrl === undefined ? undefined : this.options.metadata.get(entry.metadataUrl),
        ),
      ];
    } catch (err) {
      this.options.logger.error(
        { idpId: record.id, err: err instanceof Error ? err.message.slice(0, 500) : String(err) },
        'stored IdP connection is invalid; skipped',
      );
      return [];
    }
  }

  private parseCluster(record: ConnectionRecord): ClusterConfig[] {
    const parsed = clusterSchema.safeParse(record.entry);
    if (parsed.success) return [parsed.data];
    this.options.logger.error(
      { clusterId: record.id, err: parsed.error.message.slice(0, 500) },
      'stored cluster is invalid; skipped',
    );
    return [];
  }
}
