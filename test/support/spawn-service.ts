// Starts the service as a child process (`src/main.ts`, as `npm start` does, or the compiled
// `dist/main.js`, as the image does) on a free port and captures everything it prints, so tests can
// walk it over HTTP, search its logs and signal it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

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

/** A production service that reaches AWS (eu-west-1) only through the emulator at `emulatorUrl`. */
export function productionEnvWithEmulator(emulatorUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    AWS_ENDPOINT_URL_STS: emulatorUrl,
    AWS_ENDPOINT_URL_REDSHIFT: emulatorUrl,
    AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS: emulatorUrl,
    AWS_REGION: 'eu-west-1',
    ...WITHOUT_AMBIENT_AWS,
  };
}

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
  const port = await freePort();
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
    const deadline = setTimeout(
      () => reject(new Error(`service did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
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
