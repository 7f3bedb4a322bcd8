// Whether this start runs the configured service or demo mode, decided from argv and the
// environment before anything else. Demo mode runs public test users and development keys, so it
// starts only when nothing at all configures the service, listens on loopback unless asked
// explicitly (REDSHIFT_SSO_DEMO=1), and always keeps its own SQLite store.
import { ConfigError } from '../errors.ts';
import { configPathFrom } from './load.ts';

type Env = Record<string, string | undefined>;

/** Where demo mode listens and keeps its state. */
export interface DemoSettings {
  host: string;
  port: number;
  baseUrl: string;
  /** Directory of demo.db (DEMO_DATA_DIR, default data). */
  dataDir: string;
}

export type StartMode = { kind: 'configured'; path: string } | { kind: 'demo'; demo: DemoSettings };

/** Variables demo mode reads; every other REDSHIFT_SSO_* variable configures the service and rules demo mode out. */
const DEMO_VARIABLES = new Set([
  'REDSHIFT_SSO_DEMO',
  'REDSHIFT_SSO_HOST',
  'REDSHIFT_SSO_PORT',
  'REDSHIFT_SSO_BASE_URL',
  'REDSHIFT_SSO_LOG_LEVEL',
]);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

export function startMode(argv: readonly string[], env: Env): StartMode {
  const demoAsked = demoRequested(env);
  const path = configPathFrom(argv, env);
  if (path !== undefined) {
    if (demoAsked)
      throw new ConfigError([
        'REDSHIFT_SSO_DEMO: demo mode takes no configuration file; unset REDSHIFT_SSO_DEMO or the configuration',
      ]);
    return { kind: 'configured', path };
  }
  const configuring = Object.keys(env)
    .filter((name) => name.startsWith('REDSHIFT_SSO_') && !DEMO_VARIABLES.has(name) && env[name] !== undefined)
    .sort();
  if (configuring.length > 0) {
    throw new ConfigError([
      `REDSHIFT_SSO_CONFIG: not set, but ${configuring.join(', ')} configure${configuring.length === 1 ? 's' : ''} the service; name the configuration file with REDSHIFT_SSO_CONFIG or --config (demo mode starts only when no such setting is given)`,
    ]);
  }
  if (env.NODE_ENV === 'production')
    throw new ConfigError([
      'no configuration: set REDSHIFT_SSO_CONFIG or pass --config (demo mode is refused when NODE_ENV=production)',
    ]);
  return { kind: 'demo', demo: demoSettings(env, demoAsked) };
}

function demoRequested(env: Env): boolean {
  const value = env.REDSHIFT_SSO_DEMO;
  if (value === undefined) return false;
  if (value === '1') return true;
  throw new ConfigError(['REDSHIFT_SSO_DEMO: expected 1 (or leave it unset)']);
}

function demoSettings(env: Env, demoAsked: boolean): DemoSettings {
  const portText = env.REDSHIFT_SSO_PORT ?? env.PORT ?? '3000';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
    throw new ConfigError([
      `${env.REDSHIFT_SSO_PORT === undefined ? 'PORT' : 'REDSHIFT_SSO_PORT'}: expected a port number`,
    ]);
  const port = Number(portText);
  const host = env.REDSHIFT_SSO_HOST ?? '127.0.0.1';
  const baseUrl = (env.REDSHIFT_SSO_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const publicHost = hostOf(baseUrl);
  if (!demoAsked && !LOOPBACK_HOSTS.has(host)) {
    throw new ConfigError([
      `REDSHIFT_SSO_HOST: demo mode listens on loopback only, and its test users and keys are public; set REDSHIFT_SSO_DEMO=1 as well to listen on ${host}`,
    ]);
  }
  if (!demoAsked && !LOOPBACK_HOSTS.has(publicHost)) {
    throw new ConfigError([
      `REDSHIFT_SSO_BASE_URL: demo mode serves loopback addresses only; set REDSHIFT_SSO_DEMO=1 as well to serve it as ${publicHost}`,
    ]);
  }
  return { host, port, baseUrl, dataDir: env.DEMO_DATA_DIR ?? 'data' };
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).hostname;
  } catch {
    throw new ConfigError(['REDSHIFT_SSO_BASE_URL: expected a URL like http://localhost:3000']);
  }
}
