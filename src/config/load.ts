// Builds the one configuration object: schema defaults < config file (YAML or JSON) < environment.
// The only module that reads process.env for settings. Every invalid field is reported by path.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ZodError } from 'zod';
import { ConfigError } from '../errors.ts';
import { configSchema, type Config } from './schema.ts';
import { crossFieldProblems } from './rules.ts';

type Env = Record<string, string | undefined>;

/** Environment variables and the field each sets; values are parsed as the field's type. */
export const ENV_OVERRIDES: ReadonlyArray<{ name: string; path: string[]; type: 'string' | 'int' | 'proxy' }> = [
  { name: 'REDSHIFT_SSO_MODE', path: ['mode'], type: 'string' },
  { name: 'REDSHIFT_SSO_LOG_LEVEL', path: ['log', 'level'], type: 'string' },
  { name: 'REDSHIFT_SSO_BASE_URL', path: ['server', 'baseUrl'], type: 'string' },
  { name: 'REDSHIFT_SSO_HOST', path: ['server', 'host'], type: 'string' },
  { name: 'PORT', path: ['server', 'port'], type: 'int' },
  { name: 'REDSHIFT_SSO_PORT', path: ['server', 'port'], type: 'int' },
  { name: 'REDSHIFT_SSO_SESSION_SECRET', path: ['server', 'sessionSecret'], type: 'string' },
  { name: 'REDSHIFT_SSO_TRUST_PROXY', path: ['server', 'trustProxy'], type: 'proxy' },
  { name: 'REDSHIFT_SSO_STORE_URL', path: ['store', 'url'], type: 'string' },
  { name: 'REDSHIFT_SSO_SHUTDOWN_TIMEOUT_SECONDS', path: ['server', 'shutdownTimeoutSeconds'], type: 'int' },
  { name: 'REDSHIFT_SSO_WORKERS', path: ['server', 'workers'], type: 'int' },
  { name: 'REDSHIFT_SSO_VALIDATION_THREADS', path: ['server', 'validationThreads'], type: 'int' },
  { name: 'REDSHIFT_SSO_METRICS_PORT', path: ['metrics', 'port'], type: 'int' },
  { name: 'REDSHIFT_SSO_METRICS_TOKEN', path: ['metrics', 'token'], type: 'string' },
  { name: 'AWS_REGION', path: ['aws', 'region'], type: 'string' },
  // The usual proxy variables; the lowercase spelling wins, as with curl.
  { name: 'HTTPS_PROXY', path: ['outboundProxy', 'httpsUrl'], type: 'string' },
  { name: 'https_proxy', path: ['outboundProxy', 'httpsUrl'], type: 'string' },
  { name: 'HTTP_PROXY', path: ['outboundProxy', 'httpUrl'], type: 'string' },
  { name: 'http_proxy', path: ['outboundProxy', 'httpUrl'], type: 'string' },
  { name: 'NO_PROXY', path: ['outboundProxy', 'noProxy'], type: 'string' },
  { name: 'no_proxy', path: ['outboundProxy', 'noProxy'], type: 'string' },
];

/** The config file named by --config or REDSHIFT_SSO_CONFIG, or undefined when none is given. */
export function configPathFrom(argv: readonly string[], env: Env): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i >= 0) {
    const arg = argv[i] ?? '';
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
    if (value === undefined || value === '') throw new ConfigError(['--config: expected a file path']);
    return value;
  }
  const fromEnv = env.REDSHIFT_SSO_CONFIG;
  // Set but empty is a mistake (an unfilled template, a typo in a manifest), never a request for demo mode.
  if (fromEnv !== undefined && fromEnv.trim() === '')
    throw new ConfigError(['REDSHIFT_SSO_CONFIG: set but empty; name the configuration file, or unset it']);
  return fromEnv;
}

export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      [`${path}: cannot read the configuration file (${(err as NodeJS.ErrnoException).code ?? 'error'})`],
      err,
    );
  }
  try {
    return /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      [`${path}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`],
      err,
    );
  }
}

/** Validates raw input (file contents merged with env) into a frozen Config. */
export function buildConfig(fileContents: unknown, env: Env = {}): Config {
  const base = fileContents === undefined || fileContents === null ? {} : fileContents;
  if (typeof base !== 'object' || Array.isArray(base))
    throw new ConfigError(['(root): expected a mapping of sections']);
  const merged = applyEnv(structuredClone(base) as Record<string, unknown>, env);
  const parsed = configSchema.safeParse(merged);
  const problems = [...(parsed.success ? [] : formatIssues(parsed.error)), ...crossFieldProblems(merged)];
  if (problems.length > 0 || !parsed.success)
    throw new ConfigError(sortByPath([...new Set(problems)]), parsed.success ? undefined : parsed.error);
  return deepFreeze(parsed.data);
}

function sortByPath(problems: string[]): string[] {
  return problems.sort((a, b) => a.localeCompare(b));
}

export function loadConfig(argv: readonly string[], env: Env): { config: Config; path: string } {
  const path = configPathFrom(argv, env);
  if (path === undefined) throw new ConfigError(['no configuration: set REDSHIFT_SSO_CONFIG or pass --config']);
  return { config: buildConfig(readConfigFile(path), env), path };
}

export function formatIssues(err: ZodError): string[] {
  return err.issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, part) =>
        typeof part === 'number' ? `${acc}[${part}]` : acc === '' ? String(part) : `${acc}.${String(part)}`,
      '',
    );
    return `${path === '' ? '(root)' : path}: ${issue.message}`;
  });
}

function applyEnv(target: Record<string, unknown>, env: Env): Record<string, unknown> {
  for (const { name, path, type } of ENV_OVERRIDES) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let node = target;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== 'object' || next === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const leaf = path[path.length - 1] ?? '';
    node[leaf] = parseEnvValue(raw, type);
  }
  return target;
}

function parseEnvValue(raw: string, type: 'string' | 'int' | 'proxy'): unknown {
  if (type === 'int') return /^\d+$/.test(raw) ? Number(raw) : raw; // left as text so the schema reports it
  if (type === 'proxy') {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    return /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return raw;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
