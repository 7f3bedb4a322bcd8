// The configuration file's metadata URLs at start-up. A fresh document is kept in the store as
// the last good copy; when a fetch fails (or returns an invalid document), the stored copy stands
// in with a warning and the metadata cache retries in the background. With no stored copy, the
// failure stops start-up by path, as before: there is nothing to trust the IdP's signatures with.
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { IdpConfig } from '../config/schema.ts';
import type { MetadataRecords } from '../store/ports.ts';
import { fetchMetadata, type MetadataFetchOptions } from '../saml/metadata-fetch.ts';
import { fingerprintsOf, type MetadataTarget } from './metadata-cache.ts';
import { describeUrl } from './metadata-retry.ts';

export interface StartupMetadata {
  /** The document to use, by IdP id. */
  documents: Map<string, string>;
  /** Served from the store: fetch these again soon. */
  stale: MetadataTarget[];
}

export interface StartupMetadataDeps {
  records: MetadataRecords;
  logger: Logger;
  now: () => Date;
  fetch?: typeof fetchMetadata;
}

export async function loadConfiguredMetadata(
  idps: readonly IdpConfig[],
  options: MetadataFetchOptions,
  deps: StartupMetadataDeps,
): Promise<StartupMetadata> {
  const result: StartupMetadata = { documents: new Map(), stale: [] };
  const problems: string[] = [];
  await Promise.all(
    idps.map(async (idp, index) => {
      if (idp.metadataUrl === undefined || !idp.enabled) return;
      const url = idp.metadataUrl;
      const fetched = await fetchValid(url, options, deps.fetch ?? fetchMetadata);
      if (fetched.error === undefined) {
        await deps.records.putMetadata(url, fetched.xml, deps.now());
        result.documents.set(idp.id, fetched.xml);
        return;
      }
      const stored = await storedDocument(deps.records, url);
      if (stored !== undefined) {
        deps.logger.warn(
          { idpId: idp.id, url: describeUrl(url), fetchedAt: stored.fetchedAt.toISOString(), err: fetched.error },
          'metadata URL failed at start-up; using the stored metadata document',
        );
        result.documents.set(idp.id, stored.xml);
        result.stale.push({ url, idpId: idp.id });
      } else if (fetched.xml !== undefined) {
        // Fetched but invalid, with nothing stored: resolving the entry reports it by path.
        result.documents.set(idp.id, fetched.xml);
      } else {
        problems.push(`idps[${index}].metadataUrl: ${fetched.error}`);
      }
    }),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}

type Fetched = { xml: string; error?: undefined } | { xml?: string; error: string };

/** The document, or why it cannot be used (unfetchable, or fetched but not valid metadata). */
async function fetchValid(url: string, options: MetadataFetchOptions, fetch: typeof fetchMetadata): Promise<Fetched> {
  let xml: string | undefined;
  try {
    xml = await fetch(url, options);
    fingerprintsOf(xml);
    return { xml };
  } catch (err) {
    return { xml, error: err instanceof Error ? err.message : String(err) };
  }
}

async function storedDocument(
  records: MetadataRecords,
  url: string,
): Promise<{ xml: string; fetchedAt: Date } | undefined> {
  const stored = await records.getMetadata(url);
  if (stored === null) return undefined;
  try {
    fingerprintsOf(stored.xml);
    return stored;
  } catch {
    return undefined;
  }
}
