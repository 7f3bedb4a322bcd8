// Process entry: load the configuration (or start demo mode when nothing configures the service), build the app,
// listen, and shut down cleanly on SIGINT/SIGTERM. Configuration problems exit with status 1.
import type { Server } from 'node:http';
import { buildConfig, readConfigFile } from './config/load.ts';
import { startMode } from './config/start-mode.ts';
import type { Config } from './config/schema.ts';
import { ConfigError, isAppError, type AppError } from './errors.ts';
import { createLogger } from './logger.ts';
import { createApp, openStore } from './app.ts';
import { fetchIdpMetadata } from './saml/idp-connection.ts';
import type { Demo } from './dev/demo.ts';

async function main(): Promise<void> {
  const env = process.env;
  const logger = createLogger({ level: env.REDSHIFT_SSO_LOG_LEVEL ?? 'info' });
  let config: Config;
  let demo: Demo | undefined;
  try {
    const mode = startMode(process.argv.slice(2), env);
    if (mode.kind === 'demo') {
      const { startDemo } = await import('./dev/demo.ts');
      demo = await startDemo(mode.demo, env, logger);
      config = demo.config;
    } else {
      config = buildConfig(readConfigFile(mode.path), env);
    }
    if (config.mode === 'development' && env.NODE_ENV === 'production') throw new ConfigError(['mode: development is refused when NODE_ENV=production']);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.publicMessage);
      process.exit(1);
    }
    throw err;
  }

  // The boot logger only covers loading the configuration; from here on config.log applies.
  const appLogger = createLogger(config.log);
  let built;
  try {
    const idpMetadata = await fetchIdpMetadata(config.idps, config.sp.metadataFetch);
    const store = await openStore(config.store.url, appLogger);
    built = createApp(config, { logger: appLogger, store, extraRouters: demo?.routers, idpMetadata, demo: demo !== undefined });
    await built.registry.start();
    const setupToken = await built.issueSetupToken();
    if (setupToken !== undefined) {
      // Printed once, to the console only (never the log): it opens the admin console until an IdP exists.
      console.log(`\n  No IdP connection exists yet. Open ${config.server.baseUrl}/admin/setup with this one-time setup token:\n\n    ${setupToken}\n`);
    }
  } catch (err) {
    if (err instanceof ConfigError || (isAppError(err) && err.code === 'STORE_UNAVAILABLE')) {
      console.error((err as AppError).publicMessage);
      await demo?.close();
      process.exit(1);
    }
    throw err;
  }
  const { app, close } = built;
  const server: Server = app.listen(config.server.port, config.server.host, () => {
    appLogger.info({ baseUrl: config.server.baseUrl, mode: config.mode }, 'listening');
    if (demo !== undefined) {
      console.log(`\n  redshift-sso demo: open ${config.server.baseUrl}/ and sign in as alice or bob.\n`);
    }
  });
  server.on('error', (err) => {
    logger.fatal({ err: err.message }, 'cannot listen');
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      Promise.all([close(), demo?.close()]).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
    server.closeAllConnections();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('redshift-sso failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
