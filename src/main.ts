// Process entry: load the configuration (or start demo mode when nothing configures the service),
// build the app, listen, and drain on SIGINT/SIGTERM (see web/graceful-shutdown.ts). Configuration
// problems exit with status 1, and so does a shutdown whose bound cut requests still in flight.
// With server.workers > 1 this process becomes the cluster primary (cluster.ts) and each worker
// runs this file again as a single service. Demo mode is always one process.
import type { Server } from 'node:http';
import { buildConfig, readConfigFile } from './config/load.ts';
import { startMode } from './config/start-mode.ts';
import type { Config } from './config/schema.ts';
import { ConfigError, isAppError, type AppError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { App } from './app.ts';
import { openStore } from './store/open.ts';
import { startApp } from './start-app.ts';
import { drainer } from './web/graceful-shutdown.ts';
import { closeValidationPools, validationPool } from './saml/validation-pool.ts';
import { startMetricsListener, type MetricsListener } from './web/metrics-listener.ts';
import type { Demo } from './dev/demo.ts';
import { handOutSetupToken } from './setup-token/hand-out.ts';
import { primaryMetrics } from './cluster-metrics.ts';
import {
  followPrimary,
  type Primary,
  handsOutSetupToken,
  isWorker,
  runPrimary,
  workerCount,
  workerLogFields,
} from './cluster.ts';

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
    if (config.mode === 'development' && env.NODE_ENV === 'production')
      throw new ConfigError(['mode: development is refused when NODE_ENV=production']);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.publicMessage);
      process.exit(1);
    }
    throw err;
  }

  const workers = demo === undefined ? workerCount(config.server.workers) : 1;
  if (workers > 1 && !isWorker()) {
    await startPrimary(config, workers);
    return;
  }
  await serve(config, demo, logger);
}

/** With server.workers > 1: fork the workers, and serve the metrics they sum here. */
async function startPrimary(config: Config, workers: number): Promise<void> {
  const primaryLogger = createLogger(config.log);
  const started: { primary?: Primary } = {};
  // The primary sums the workers' metrics: it serves the listener (bound before any fork, so a
  // taken port stops the start), and the workers' token route asks it.
  if (config.metrics.port !== undefined || config.metrics.token !== undefined) {
    await listenForMetrics(
      config,
      primaryMetrics(() => started.primary?.listening() ?? []),
      primaryLogger,
    );
  }
  started.primary = runPrimary(workers, primaryLogger);
}

/** One service: open the store, build and start the app, listen, and drain on a signal. */
async function serve(config: Config, demo: Demo | undefined, logger: Logger): Promise<void> {
  // The boot logger only covers loading the configuration; from here on config.log applies.
  const appLogger = createLogger(config.log).child(workerLogFields());
  let built;
  try {
    // Workers count rate limits in the shared file; a single process counts in memory.
    const store = await openStore(config.store.url, appLogger, { sharedRateLimits: isWorker() });
    built = await startApp(config, { logger: appLogger, store, extraRouters: demo?.routers, demo: demo !== undefined });
    if (handsOutSetupToken()) await handOutSetupToken(built, config, appLogger, process.stderr);
    // Metadata refresh, sweeper, audit pruning, certificate expiry; close() stops them.
    built.jobs.start();
  } catch (err) {
    if (err instanceof ConfigError || (isAppError(err) && err.code === 'STORE_UNAVAILABLE')) {
      console.error((err as AppError).publicMessage);
      await demo?.close();
      process.exit(1);
    }
    throw err;
  }
  await listen(config, built, demo, appLogger, logger);
}

async function listen(
  config: Config,
  built: App,
  demo: Demo | undefined,
  appLogger: Logger,
  logger: Logger,
): Promise<void> {
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
  const metricsListener = isWorker() ? undefined : await listenForMetrics(config, built.metrics, appLogger);
  // Start the validation threads now, so the first sign-in does not wait for them.
  if (config.server.validationThreads > 0) validationPool(config.server.validationThreads);
  const connections = drainer(server);

  const cut = (signal: string) => {
    appLogger.warn({ signal }, 'second signal: cutting open connections');
    connections.cut();
  };
  // Exit 0 when every request in flight finished within the bound, 1 when the bound cut some.
  const drain = (signal: string) => {
    const timeoutSeconds = config.server.shutdownTimeoutSeconds;
    appLogger.info({ signal, timeoutSeconds }, 'draining');
    built.startDraining();
    void connections
      .drain(timeoutSeconds * 1000)
      .then(async (result) => {
        if (result !== 'drained') appLogger.warn({ result, timeoutSeconds }, 'requests still in flight were cut');
        await Promise.all([metricsListener?.close(), close(), demo?.close(), closeValidationPools()]);
        appLogger.info({ result }, 'stopped');
        process.exit(result === 'drained' ? 0 : 1);
      })
      .catch((err: unknown) => {
        appLogger.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
        process.exit(1);
      });
  };
  const stop = (signal: string) => (connections.draining ? cut(signal) : drain(signal));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // A signal to the whole process group reaches a worker directly too: the relayed one is then a no-op.
  followPrimary({
    shutdown: () => {
      if (!connections.draining) drain('primary');
    },
    cut: () => cut('primary'),
  });
}

/** The separate metrics listener, when metrics.port is set; on server.host like the main one. */
async function listenForMetrics(
  config: Config,
  metrics: Pick<Metrics, 'render' | 'contentType'>,
  logger: Logger,
): Promise<MetricsListener | undefined> {
  if (config.metrics.port === undefined) return undefined;
  try {
    const listener = await startMetricsListener(metrics, { host: config.server.host, port: config.metrics.port });
    logger.info({ host: config.server.host, port: listener.port }, 'metrics listening');
    return listener;
  } catch (err) {
    logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'cannot listen for metrics');
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error('redshift-sso failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
