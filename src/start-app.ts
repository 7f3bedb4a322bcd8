// Start-up as the service runs it: the configuration file's metadata URLs (a stored copy stands in
// for one that fails, and is retried in the background), the app, then the console's entries.
import type { Config } from './config/schema.ts';
import { createLogger } from './logger.ts';
import type { Store } from './store/ports.ts';
import { loadConfiguredMetadata } from './connections/startup-metadata.ts';
import { createApp, type App, type AppOverrides } from './app.ts';
import { outboundProxy } from './wiring/core.ts';

/** The store is opened first: it holds the last good metadata documents. */
export async function startApp(config: Config, overrides: AppOverrides & { store: Store }): Promise<App> {
  const logger = overrides.logger ?? createLogger(config.log);
  const now = overrides.now ?? (() => new Date());
  const fetchOptions = { ...config.sp.metadataFetch, proxy: outboundProxy(config) };
  const startup = await loadConfiguredMetadata(config.idps, fetchOptions, { records: overrides.store, logger, now });
  const built = createApp(config, { ...overrides, logger, idpMetadata: startup.documents });
  built.metadata.retryLater(startup.stale);
  try {
    await built.registry.start();
  } catch (err) {
    await built.close();
    throw err;
  }
  return built;
}
