// Starts the service as a child process (`src/main.ts`, as `npm start` does, or the compiled
// `dist/main.js`, as the image does) on a free port and captures everything it prints, so tests can
// walk it over HTTP, search its logs and signal it. ServiceHome adds what every spawning test and
// bench repeats around it: a temporary folder, the configuration file, the stores, stopping it all.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';
import { startAwsEmulator, type AwsEmulator, type AwsEmulatorOptions } from '../../src/dev/aws-emulator.ts';
import { fixtureKeys, TEST_IDP_ISSUER, TEST_PRINCIPAL_ARN, TEST_ROLE_ARN } from './sign-response.ts';

export interface SpawnedService {
  baseUrl: string;
  port: number;
  pid: number;
  output: () => string;
  /** Stops keeping what it prints from now on (long runs such as the soak); output() keeps the start. */
  discardOutput: () => void;
  /** SIGTERM (when still running), then the exit code. */
  stop: () => Promise<number | null>;
  signal: (signal: NodeJS.Signals) => void;
  /** The exit code once the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Env for a service that must reach AWS only through the emulator: no ambient credentials, no IMDS,
 * and no outbound proxy from the machine's environment (the emulator is on loopback).
 */
export const WITHOUT_AMBIENT_AWS: Readonly<Record<string, string>> = {
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_PROFILE: '',
  HTTPS_PROXY: '',
  https_proxy: '',
  HTTP_PROXY: '',
  http_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
};

/** Endpoints per AWS API (default: the emulator's URL for each), and the region (default eu-west-1). */
export interface AwsEndpoints {
  sts?: string;
  redshift?: string;
  serverless?: string;
  region?: string;
}

/**
 * A production service that reaches AWS (eu-west-1 unless `region`) only through the emulator at `emulatorUrl`, or
 * through the endpoints given per API.
 */
export function productionEnvWithEmulator(emulatorUrl: string, endpoints: AwsEndpoints = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    AWS_ENDPOINT_URL_STS: endpoints.sts ?? emulatorUrl,
    AWS_ENDPOINT_URL_REDSHIFT: endpoints.redshift ?? emulatorUrl,
    AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS: endpoints.serverless ?? emulatorUrl,
    AWS_REGION: endpoints.region ?? 'eu-west-1',
    ...WITHOUT_AMBIENT_AWS,
  };
}

const FIXTURE_IDP_CERT_PATH = fileURLToPath(new URL('../fixtures/certs/idp.crt', import.meta.url));

/** The fixture IdP (sign-response.ts signs with its key) as a spawned service's configuration and AWS see it. */
export const fixtureIdp = {
  /** Its certificate file, as a configuration file names it. */
  certPath: FIXTURE_IDP_CERT_PATH,
  /** An IdP entry for it, by certificate; `overrides` replace fields (undefined removes one). */
  entry: (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: 'corp',
    name: 'Corp SSO',
    entityId: TEST_IDP_ISSUER,
    ssoUrl: 'https://idp.test.example/sso',
    certs: [FIXTURE_IDP_CERT_PATH],
    ...overrides,
  }),
  /** A cluster entry for the cluster emulator() serves, for TEST_ROLE_ARN. */
  cluster: (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: 'warehouse',
    clusterIdentifier: 'prod-warehouse',
    region: 'eu-west-1',
    database: 'analytics',
    roles: [TEST_ROLE_ARN],
    ...overrides,
  }),
  /** The AWS emulator trusting it as TEST_PRINCIPAL_ARN, by default with the cluster `prod-warehouse`. */
  emulator: (options: Partial<AwsEmulatorOptions> = {}): Promise<AwsEmulator> =>
    startAwsEmulator({
      samlProviders: [{ arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate] }],
      clusters: [{ clusterIdentifier: 'prod-warehouse', host: 'warehouse.example.internal', port: 5439 }],
      ...options,
    }),
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function spawnService(
  env: Record<string, string | undefined>,
  args: string[] = [],
  timeoutMs = 30_000,
  nodeFlags: string[] = [],
): Promise<SpawnedService> {
  // nodeFlags (such as --cpu-prof, which NODE_OPTIONS refuses) reach cluster workers too: fork reuses execArgv.
  return spawnNode([...nodeFlags, '--import', 'tsx', 'src/main.ts', ...args], env, timeoutMs);
}

/** The production command: `node <outDir>/main.js`, no tsx (run `npm run build` first). */
export async function spawnCompiledService(
  env: Record<string, string | undefined>,
  mainJs = 'dist/main.js',
  timeoutMs = 30_000,
): Promise<SpawnedService> {
  return spawnNode([mainJs], env, timeoutMs);
}

async function spawnNode(
  nodeArgs: string[],
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<SpawnedService> {
  // A PORT the caller chose (the configuration file already names the URL) is the one to report.
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT);
  const baseUrl = env.REDSHIFT_SSO_BASE_URL ?? `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, nodeArgs, {
    env: { ...process.env, PORT: String(port), REDSHIFT_SSO_BASE_URL: baseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let keep = true;
  child.stdout?.on('data', (chunk: Buffer) => keep && (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => keep && (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => {
      // Nobody gets a handle on it to stop it: it must not outlive the failed start.
      child.kill('SIGKILL');
      reject(new Error(`service did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      if (output.includes('"msg":"listening"')) {
        clearTimeout(deadline);
        clearInterval(poll);
        resolve();
      }
    }, 50);
    void exited.then((code) => {
      clearTimeout(deadline);
      clearInterval(poll);
      reject(new Error(`service exited with ${code} before listening:\n${output}`));
    });
  });

  return {
    baseUrl,
    port,
    pid: child.pid ?? 0,
    output: () => output,
    discardOutput: () => {
      keep = false;
    },
    signal: (signal) => {
      if (child.exitCode === null) child.kill(signal);
    },
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs `src/main.ts` until it exits (killed after `timeoutMs`, status null), for start-up refusals. */
export async function runServiceToExit(
  env: Record<string, string | undefined>,
  args: string[] = [],
  timeoutMs = 20_000,
): Promise<{ status: number | null; output: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearTimeout(timer);
  return { status, output };
}

/** Resolves once the service has printed `text`; rejects after `timeoutMs` or when it exits first. */
export async function waitForOutput(service: SpawnedService, text: string, timeoutMs = 60_000): Promise<void> {
  let gone = false;
  void service.exited.then(() => (gone = true));
  for (let waited = 0; !service.output().includes(text); waited += 50) {
    if (gone || waited > timeoutMs) throw new Error(`no ${text} from the service:\n${service.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A service's configuration file, as an object (written as YAML, or JSON for a `.json` file). */
export type ServiceConfig = Record<string, unknown>;

export interface HomeSpawnOptions {
  /**
   * The configuration: an object (or a function of the service's base URL giving one) written to `file`, or the path
   * of a file written before. Left out, the service starts without one (demo mode, with `demo`).
   */
  config?: ServiceConfig | ((baseUrl: string) => ServiceConfig) | string;
  /** The configuration file's name in the home (default redshift-sso.yml). */
  file?: string;
  /** Demo mode: no configuration file, its data in the home. */
  demo?: boolean;
  /**
   * Production mode (NODE_ENV=production) reaching AWS only through the emulator at this URL, or through the endpoints
   * given per API: productionEnvWithEmulator().
   */
  awsEmulator?: string | ({ url: string } & AwsEndpoints);
  /** More environment, over everything else. */
  env?: Record<string, string | undefined>;
  /** Default: a free port. */
  port?: number;
  /** The public URL (REDSHIFT_SSO_BASE_URL): default http://127.0.0.1:<port>; a proxy's URL in front of it. */
  baseUrl?: string;
  /** The production command, `node dist/main.js` (run `npm run build` first), instead of tsx and src/main.ts. */
  compiled?: boolean;
  args?: string[];
  timeoutMs?: number;
  nodeFlags?: string[];
  /** With server.workers > 1: wait until every worker listens, not only the first. */
  allWorkers?: boolean;
}

function awsEnv(aws: HomeSpawnOptions['awsEmulator']): Record<string, string> {
  if (aws === undefined) return {};
  return typeof aws === 'string' ? productionEnvWithEmulator(aws) : productionEnvWithEmulator(aws.url, aws);
}

/**
 * A temporary folder for spawned services: their configuration files and SQLite stores (and demo data) live in it,
 * and close() stops every service spawned from it and removes it.
 */
export class ServiceHome {
  private readonly services: SpawnedService[] = [];
  private constructor(readonly dir: string) {}

  /** A new folder under the system's temporary directory, named `redshift-sso-<name>-…`. */
  static create(name: string): ServiceHome {
    return new ServiceHome(mkdtempSync(join(tmpdir(), `redshift-sso-${name}-`)));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** A `store.url` for a SQLite file in the home. */
  sqliteUrl(name = 'store'): string {
    return `sqlite:${this.path(`${name}.db`)}`;
  }

  /** Writes a configuration file (YAML, or JSON when `file` ends in .json); returns its path. */
  writeConfig(config: ServiceConfig, file = 'redshift-sso.yml'): string {
    const path = this.path(file);
    writeFileSync(path, /\.json$/.test(file) ? JSON.stringify(config, null, 2) : toYaml(config));
    return path;
  }

  async spawn(options: HomeSpawnOptions = {}): Promise<SpawnedService> {
    const port = options.port ?? (await freePort());
    const baseUrl = options.baseUrl ?? `http://127.0.0.1:${port}`;
    const { config } = options;
    const configPath =
      typeof config === 'string' || config === undefined
        ? config
        : this.writeConfig(typeof config === 'function' ? config(baseUrl) : config, options.file);
    const env = {
      ...(configPath === undefined ? {} : { REDSHIFT_SSO_CONFIG: configPath }),
      ...(options.demo === true ? { DEMO_DATA_DIR: this.dir, REDSHIFT_SSO_CONFIG: undefined } : {}),
      REDSHIFT_SSO_BASE_URL: baseUrl,
      PORT: String(port),
      ...awsEnv(options.awsEmulator),
      ...options.env,
    };
    const timeoutMs = options.timeoutMs ?? 30_000;
    const service =
      options.compiled === true
        ? await spawnCompiledService(env, undefined, timeoutMs)
        : await spawnService(env, options.args, timeoutMs, options.nodeFlags);
    this.services.push(service);
    if (options.allWorkers === true) await waitForOutput(service, '"msg":"all workers listening"', timeoutMs);
    return service;
  }

  /** Runs `src/main.ts` with this configuration until it exits, for start-up refusals: runServiceToExit(). */
  runToExit(config: ServiceConfig, env: Record<string, string | undefined> = {}): ReturnType<typeof runServiceToExit> {
    return runServiceToExit({ REDSHIFT_SSO_CONFIG: this.writeConfig(config), ...env });
  }

  /** Stops every service spawned here (SIGTERM, then waits for its exit) and removes the folder. */
  async close(): Promise<void> {
    await Promise.allSettled(this.services.map((service) => service.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
