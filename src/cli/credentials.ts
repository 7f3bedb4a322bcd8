// Fresh credentials with the stored token: no browser, a new password each time. When the token
// or the role sessions behind it have ended, says so and, in a terminal, offers to sign in again.
import { createInterface } from 'node:readline/promises';
import { existsSync } from 'node:fs';
import type { ConnectionStrings } from '../credentials/connection-strings.ts';
import { callService } from './api-client.ts';
import { CliError, EXIT } from './errors.ts';
import { caBundlePath, loadToken, writePrivateFile } from './local-files.ts';
import { loginWithBrowser } from './login-browser.ts';

export interface CredentialsAnswer {
  dbUser: string;
  dbPassword: string;
  expiration: string;
  host: string;
  port: number;
  database: string;
  sslMode: string;
  sslRootCert: string | null;
  caBundleUrl: string | null;
  connectionStrings: ConnectionStrings;
}

export interface CredentialsRequest {
  server: string;
  cluster: string;
  role?: string;
  installCa?: boolean;
}

/** Codes after which a new sign-in helps. */
const SIGN_IN_AGAIN = new Set([
  'TOKEN_INVALID',
  'TOKEN_REVOKED',
  'TOKEN_EXPIRED',
  'AWS_SESSION_EXPIRED',
  'ROLE_SESSION_MISSING',
  'IDP_DISABLED',
]);

export async function fetchCredentials(request: CredentialsRequest, mayAsk = true): Promise<CredentialsAnswer> {
  const stored = await loadToken(request.server);
  if (stored === undefined)
    return signInAgain(
      request,
      mayAsk,
      new CliError(
        `You are not signed in to ${request.server}. Run \`redshift-sso login --server ${request.server}\`.`,
        EXIT.denied,
      ),
    );
  const caFile =
    request.installCa === true
      ? await installCaBundle(request.server, request.cluster)
      : installedCa(request.server, request.cluster);
  try {
    const { body } = await callService<CredentialsAnswer>(request.server, '/api/credentials', {
      token: stored.token,
      body: {
        cluster: request.cluster,
        ...(request.role === undefined ? {} : { role: request.role }),
        ...(caFile === undefined ? {} : { caFile }),
      },
    });
    hintAboutCa(request, body, caFile);
    return body;
  } catch (err) {
    if (err instanceof CliError && err.code !== undefined && SIGN_IN_AGAIN.has(err.code)) {
      return signInAgain(
        request,
        mayAsk,
        new CliError(
          `${err.message}\nRun \`redshift-sso login --server ${request.server}\` to sign in again.`,
          EXIT.denied,
          err.code,
        ),
      );
    }
    throw err;
  }
}

async function signInAgain(
  request: CredentialsRequest,
  mayAsk: boolean,
  refusal: CliError,
): Promise<CredentialsAnswer> {
  if (!mayAsk || !process.stdin.isTTY || !process.stderr.isTTY) throw refusal;
  process.stderr.write(`${refusal.message}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = (await rl.question('Sign in again now? [Y/n] ')).trim().toLowerCase();
  rl.close();
  if (answer !== '' && answer !== 'y' && answer !== 'yes') throw refusal;
  await loginWithBrowser({ server: request.server, browser: true });
  return fetchCredentials(request, false);
}

function installedCa(server: string, cluster: string): string | undefined {
  const path = caBundlePath(server, cluster);
  return existsSync(path) ? path : undefined;
}

/** Downloads the cluster's CA bundle next to the token; undefined when the cluster has none. */
export async function installCaBundle(server: string, cluster: string): Promise<string | undefined> {
  let res: Response;
  try {
    res = await fetch(new URL(`/ca/${encodeURIComponent(cluster)}.pem`, server), {
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new CliError(
      `Cannot reach ${server} (${err instanceof Error ? err.message : String(err)}).`,
      EXIT.unreachable,
    );
  }
  if (res.status === 404) return undefined;
  const pem = await res.text();
  if (!res.ok || !pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new CliError(`${server} did not send a CA bundle for ${cluster} (${res.status}).`, EXIT.unreachable);
  const path = caBundlePath(server, cluster);
  await writePrivateFile(path, pem, 0o644);
  process.stderr.write(`Installed the CA bundle of ${cluster} in ${path}.\n`);
  return path;
}

function hintAboutCa(request: CredentialsRequest, body: CredentialsAnswer, caFile: string | undefined): void {
  if (body.caBundleUrl !== null && caFile === undefined) {
    process.stderr.write(
      `Note: ${request.cluster} uses its own CA. Add --install-ca once so the strings name the bundle (${body.caBundleUrl}).\n`,
    );
  } else if (body.sslRootCert === 'system') {
    process.stderr.write(
      'Note: sslrootcert=system needs libpq 16 or later (psql --version). Older clients: put the Amazon Redshift CA bundle in ~/.postgresql/root.crt and drop sslrootcert.\n',
    );
  }
}
