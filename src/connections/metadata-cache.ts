// IdP metadata fetched by URL: kept in memory and, as the last good document per URL, in the
// store; re-fetched on a schedule and compared, so a changed set of signing certificates (an
// IdP-side rollover) is picked up without a restart and recorded in the audit trail. A failed or
// invalid fetch keeps the last good document (from the store when this instance has none yet, so
// an IdP outage at start-up does not drop the connection) and is retried with backoff.
import { createHash } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { AuditLog, MetadataRecords } from '../store/ports.ts';
import { parseIdpMetadata } from '../saml/metadata.ts';
import { fetchMetadata, type MetadataFetchOptions } from '../saml/metadata-fetch.ts';
import { backoffDelayMs, describeUrl, realTimers, type MetadataTimers } from './metadata-retry.ts';

interface CachedMetadata {
  xml: string;
  fingerprints: string[];
  /** Loaded from the store, not fetched by this instance: a fresh copy is written back. */
  fromStore?: boolean;
}

interface RetryState {
  attempt: number;
  handle?: unknown;
  /** Backoff reached the refresh interval: the scheduled refresh takes over. */
  exhausted?: boolean;
}

export interface MetadataTarget {
  url: string;
  idpId?: string;
}

export interface MetadataCacheDeps {
  fetchOptions: MetadataFetchOptions;
  audit: AuditLog;
  /** Where the last good documents are kept across restarts. */
  records?: MetadataRecords;
  logger: Logger;
  now: () => Date;
  fetch?: typeof fetchMetadata;
  /** Retries stop once the backoff reaches this (the scheduled refresh interval). */
  retryMaxMs?: number;
  timers?: MetadataTimers;
  random?: () => number;
}

export class MetadataCache {
  private readonly entries = new Map<string, CachedMetadata>();
  private readonly retries = new Map<string, RetryState>();
  private changes = 0;
  private closed = false;

  constructor(private readonly deps: MetadataCacheDeps) {}

  /** Changes whenever a cached document changes. */
  version(): number {
    return this.changes;
  }

  get(url: string): string | undefined {
    return this.entries.get(url)?.xml;
  }

  /** A document fetched elsewhere (start-up); must already be valid. */
  seed(url: string, xml: string): void {
    this.entries.set(url, { xml, fingerprints: fingerprintsOf(xml) });
    this.changes += 1;
  }

  /** A document just fetched and checked elsewhere (an admin's preview): cached and stored. */
  async remember(url: string, xml: string): Promise<void> {
    this.seed(url, xml);
    await this.store(url, xml);
  }

  /** Fetches the URLs not cached yet (connections added in the console on another instance). */
  async ensure(targets: readonly MetadataTarget[]): Promise<void> {
    await Promise.all(targets.filter((t) => !this.entries.has(t.url)).map((t) => this.fetchInto(t.url, t.idpId)));
  }

  /** Re-fetches every URL; a changed certificate set is written to the audit trail. */
  async refresh(targets: readonly MetadataTarget[]): Promise<void> {
    await Promise.all(targets.map(({ url, idpId }) => this.fetchInto(url, idpId)));
  }

  /** Fetches these again with backoff (their start-up fetch failed; a stored copy stands in). */
  retryLater(targets: readonly MetadataTarget[]): void {
    for (const { url, idpId } of targets) this.scheduleRetry(url, idpId);
  }

  /** Stops every pending retry. */
  close(): void {
    this.closed = true;
    for (const state of this.retries.values())
      if (state.handle !== undefined) (this.deps.timers ?? realTimers).clear(state.handle);
    this.retries.clear();
  }

  private async fetchInto(url: string, idpId: string | undefined): Promise<void> {
    let xml: string;
    let fingerprints: string[];
    try {
      xml = await (this.deps.fetch ?? fetchMetadata)(url, this.deps.fetchOptions);
      fingerprints = fingerprintsOf(xml);
    } catch (err) {
      this.deps.logger.warn(
        { url: describeUrl(url), idpId, err: err instanceof Error ? err.message : String(err) },
        'metadata fetch failed; keeping the last good document',
      );
      if (!this.entries.has(url)) await this.loadStored(url, idpId);
      this.scheduleRetry(url, idpId);
      return;
    }
    this.clearRetry(url);
    const before = this.entries.get(url);
    if (before?.xml === xml && before.fromStore !== true) return;
    this.entries.set(url, { xml, fingerprints });
    await this.store(url, xml);
    if (before?.xml === xml) return;
    this.changes += 1;
    if (before !== undefined && before.fingerprints.join() !== fingerprints.join())
      await this.auditRollover(url, idpId, before.fingerprints, fingerprints);
  }

  /** The store's last good document, when this instance has none (an IdP down at start-up). */
  private async loadStored(url: string, idpId: string | undefined): Promise<void> {
    const stored = await this.deps.records?.getMetadata(url).catch((err: unknown) => {
      this.deps.logger.error(
        { url: describeUrl(url), idpId, err: err instanceof Error ? err.message : String(err) },
        'cannot read the stored metadata document',
      );
      return null;
    });
    if (stored === null || stored === undefined) return;
    let fingerprints: string[];
    try {
      fingerprints = fingerprintsOf(stored.xml);
    } catch {
      this.deps.logger.error({ url: describeUrl(url), idpId }, 'the stored metadata document is invalid; not used');
      return;
    }
    this.entries.set(url, { xml: stored.xml, fingerprints, fromStore: true });
    this.changes += 1;
    this.deps.logger.warn(
      { url: describeUrl(url), idpId, fetchedAt: stored.fetchedAt.toISOString() },
      'using the stored metadata document until the metadata URL answers again',
    );
  }

  private async store(url: string, xml: string): Promise<void> {
    await this.deps.records?.putMetadata(url, xml, this.deps.now()).catch((err: unknown) => {
      this.deps.logger.error(
        { url: describeUrl(url), err: err instanceof Error ? err.message : String(err) },
        'cannot store the metadata document',
      );
    });
  }

  private scheduleRetry(url: string, idpId: string | undefined): void {
    const state = this.retries.get(url) ?? { attempt: 0 };
    if (this.closed || state.handle !== undefined || state.exhausted === true) return;
    const delay = backoffDelayMs(state.attempt, this.deps.retryMaxMs ?? 3_600_000, this.deps.random ?? Math.random);
    if (delay === undefined) {
      this.retries.set(url, { ...state, exhausted: true });
      return;
    }
    const handle = (this.deps.timers ?? realTimers).set(async () => {
      const current = this.retries.get(url);
      if (current !== undefined) current.handle = undefined;
      if (!this.closed) await this.fetchInto(url, idpId);
    }, delay);
    this.retries.set(url, { attempt: state.attempt + 1, handle });
    this.deps.logger.info(
      { url: describeUrl(url), idpId, attempt: state.attempt + 1, delayMs: delay },
      'metadata fetch will be retried',
    );
  }

  private clearRetry(url: string): void {
    const state = this.retries.get(url);
    if (state?.handle !== undefined) (this.deps.timers ?? realTimers).clear(state.handle);
    this.retries.delete(url);
  }

  private async auditRollover(
    url: string,
    idpId: string | undefined,
    before: string[],
    after: string[],
  ): Promise<void> {
    this.deps.logger.info({ url: describeUrl(url), idpId, before, after }, 'IdP signing certificates changed');
    await this.deps.audit.appendAudit({
      at: this.deps.now(),
      kind: 'admin_change',
      outcome: 'ok',
      actor: 'metadata-refresh',
      idpId,
      details: { entry: 'idp', id: idpId, url, before: { certificates: before }, after: { certificates: after } },
    });
  }
}

export function fingerprintsOf(xml: string): string[] {
  return parseIdpMetadata(xml)
    .signingCerts.map((pem) =>
      createHash('sha256')
        .update(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')
        .digest('hex'),
    )
    .sort();
}
