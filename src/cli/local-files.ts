// Where the CLI keeps its state: under the user's config directory (XDG on Linux, Library/
// Preferences on macOS, %APPDATA% on Windows, via env-paths), one token file per server, mode
// 0600, plus the last server used and the CA bundles it installed.
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';
import { CliError, EXIT } from './errors.ts';

export interface StoredToken {
  server: string;
  token: string;
  tokenId: string;
  expiresAt: string;
}

export function configDir(): string {
  return envPaths('redshift-sso', { suffix: '' }).config;
}

/** `https://sso.example.com` → `https_sso.example.com_443`: one file per origin. */
export function serverKey(server: string): string {
  const url = new URL(server);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol.replace(':', '')}_${url.hostname.replace(/[^A-Za-z0-9.-]/g, '_')}_${port}`;
}

export function tokenPath(server: string): string {
  return join(configDir(), 'tokens', `${serverKey(server)}.json`);
}

export function caBundlePath(server: string, clusterId: string): string {
  return join(configDir(), 'ca', serverKey(server), `${clusterId}.pem`);
}

/** Written to a 0600 temp file first, then renamed, so a reader never sees half a file. */
export async function writePrivateFile(path: string, text: string, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode });
  await chmod(temp, mode);
  await rename(temp, path);
}

export async function saveToken(token: StoredToken): Promise<string> {
  const path = tokenPath(token.server);
  await writePrivateFile(path, `${JSON.stringify(token, null, 2)}\n`);
  await writePrivateFile(join(configDir(), 'config.json'), `${JSON.stringify({ server: token.server }, null, 2)}\n`);
  return path;
}

export async function loadToken(server: string): Promise<StoredToken | undefined> {
  const text = await readFile(tokenPath(server), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as StoredToken;
  } catch {
    throw new CliError(
      `The token file ${tokenPath(server)} is damaged. Delete it and run \`redshift-sso login --server ${server}\`.`,
      EXIT.usage,
    );
  }
}

export async function forgetToken(server: string): Promise<void> {
  await rm(tokenPath(server), { force: true });
}

/** --server, else REDSHIFT_SSO_SERVER, else the server of the last login. */
export async function resolveServer(option: string | undefined): Promise<string> {
  const fromEnv = process.env.REDSHIFT_SSO_SERVER;
  const chosen = option ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv) ?? (await lastServer());
  if (chosen === undefined)
    throw new CliError(
      'No server given. Run `redshift-sso login --server https://…` first, or pass --server.',
      EXIT.usage,
    );
  return normalizeServer(chosen);
}

export function normalizeServer(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(
      `"${value}" is not a URL. Pass the service's address, e.g. --server https://redshift-sso.example.com`,
      EXIT.usage,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new CliError(`--server must be an http(s) URL, not ${url.protocol}`, EXIT.usage);
  return url.origin;
}

async function lastServer(): Promise<string | undefined> {
  const text = await readFile(join(configDir(), 'config.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const server = (JSON.parse(text) as { server?: unknown }).server;
    return typeof server === 'string' ? server : undefined;
  } catch {
    return undefined;
  }
}
