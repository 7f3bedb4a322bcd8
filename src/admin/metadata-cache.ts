// IdP metadata fetched by URL: kept in memory, re-fetched on a schedule, and compared, so a
// changed set of signing certificates (an IdP-side rollover) is picked up without a restart and
// recorded in the audit trail. A failed or invalid fetch keeps the last good document.
import { createHash } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { AuditLog } from '../store/ports.ts';
import { parseIdpMetadata } from '../saml/metadata.ts';
import { fetchMetadata, type MetadataFetchOptions } from '../saml/metadata-fetch.ts';

interface CachedMetadata {
  xml: string;
  fingerprints: string[];
}

export class MetadataCache {
  private readonly entries = new Map<string, CachedMetadata>();
  private changes = 0;

  constructor(private readonly deps: { fetchOptions: MetadataFetchOptions; audit: AuditLog; logger: Logger; now: () => Date; fetch?: typeof fetchMetadata }) {}

  /** Changes whenever a cached document changes. */
  version(): number {
    return this.changes;
  }

  get(url: string): string | undefined {
    return this.entries.get(url)?.xml;
  }

  /** A document fetched elsewhere (start-up, an admin's preview); must already be valid. */
  seed(url: string, xml: string): void {
    this.entries.set(url, { xml, fingerprints: fingerprintsOf(xml) });
    this.changes += 1;
  }

  /** Fetches the URLs not cached yet (connections added in the console on another instance). */
  async ensure(urls: readonly string[]): Promise<void> {
    await Promise.all(urls.filter((url) => !this.entries.has(url)).map((url) => this.fetchInto(url, undefined)));
  }

  /** Re-fetches every URL; a changed certificate set is written to the audit trail. */
  async refresh(targets: ReadonlyArray<{ url: string; idpId: string }>): Promise<void> {
    await Promise.all(targets.map(({ url, idpId }) => this.fetchInto(url, idpId)));
  }

  private async fetchInto(url: string, idpId: string | undefined): Promise<void> {
    let xml: string;
    let fingerprints: string[];
    try {
      xml = await (this.deps.fetch ?? fetchMetadata)(url, this.deps.fetchOptions);
      fingerprints = fingerprintsOf(xml);
    } catch (err) {
      this.deps.logger.warn({ url, idpId, err: err instanceof Error ? err.message : String(err) }, 'metadata refresh failed; keeping the last good document');
      return;
    }
    const before = this.entries.get(url);
    if (before?.xml === xml) return;
    this.entries.set(url, { xml, fingerprints });
    this.changes += 1;
    if (before !== undefined && before.fingerprints.join() !== fingerprints.join()) {
      this.deps.logger.info({ url, idpId, before: before.fingerprints, after: fingerprints }, 'IdP signing certificates changed');
      await this.deps.audit.appendAudit({
        at: this.deps.now(),
        kind: 'admin_change',
        outcome: 'ok',
        actor: 'metadata-refresh',
        idpId,
        details: { entry: 'idp', id: idpId, url, before: { certificates: before.fingerprints }, after: { certificates: fingerprints } },
      });
    }
  }
}

function fingerprintsOf(xml: string): string[] {
  return parseIdpMetadata(xml)
    .signingCerts.map((pem) => createHash('sha256').update(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64').digest('hex'))
    .sort();
}
