// What a caller of createApp may pass instead of what the configuration builds: tests pass their
// own store, AWS fakes, clock and timers; demo mode passes its routers.
import type { Router } from 'express';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/ports.ts';
import type { RedshiftApi, StsApi } from '../aws/ports.ts';
import type { MetadataTimers } from '../connections/metadata-retry.ts';

export interface AppOverrides {
  logger?: Logger;
  store?: Store;
  sts?: StsApi;
  redshift?: RedshiftApi;
  now?: () => Date;
  /** Extra routers mounted before the service's own (the demo IdP). */
  extraRouters?: Router[];
  /** Demo mode is running (its built-in IdP and emulator): every page carries the demo banner. */
  demo?: boolean;
  /** Metadata fetched from the IdPs' metadataUrl, by IdP id (see startApp). */
  idpMetadata?: ReadonlyMap<string, string>;
  /** Timers and randomness for the metadata fetch retries (tests run them without waiting). */
  metadataRetry?: { timers?: MetadataTimers; random?: () => number };
  /** Timers and batch size of the audit pruning job (tests run it without waiting). */
  auditPrune?: { timers?: MetadataTimers; batchSize?: number };
  /** Timers of the daily certificate expiry warning (tests fire them by hand). */
  certificateExpiryTimers?: MetadataTimers;
}
