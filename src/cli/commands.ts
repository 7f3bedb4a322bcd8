// What each command does once its arguments are parsed: print a format, run psql, write
// ~/.pgpass, sign out. Results go to stdout, progress and hints to stderr.
import { spawn } from 'node:child_process';
import { CONNECTION_FORMATS, libpqConninfo } from '../credentials/connection-strings.ts';
import { callService } from './api-client.ts';
import { fetchCredentials, installCaBundle, type CredentialsAnswer } from './credentials.ts';
import { CliError, EXIT } from './errors.ts';
import { forgetToken, loadToken, resolveServer } from './local-files.ts';
import { writePgpass } from './pgpass-file.ts';

// Every format the server offers, plus the whole answer as JSON.
export const FORMATS = [...CONNECTION_FORMATS, 'json'] as const;
export type Format = (typeof FORMATS)[number];

export interface ClusterOptions {
  server?: string;
  cluster: string;
  role?: string;
  installCa?: boolean;
}

async function credentialsFor(options: ClusterOptions): Promise<CredentialsAnswer> {
  const server = await resolveServer(options.server);
  return fetchCredentials({ server, cluster: options.cluster, role: options.role, installCa: options.installCa });
}

export async function printCredentials(options: ClusterOptions & { format: Format }): Promise<void> {
  const answer = await credentialsFor(options);
  const text = options.format === 'json' ? JSON.stringify(answer, null, 2) : answer.connectionStrings[options.format];
  process.stdout.write(`${text}\n`);
  process.stderr.write(`Expires ${answer.expiration} (local ${new Date(answer.expiration).toLocaleString()}).\n`);
}

/** libpq reads these from the environment: the password never appears in argv or `ps`. */
export function libpqEnv(answer: CredentialsAnswer): Record<string, string> {
  return {
    PGHOST: answer.host,
    PGPORT: String(answer.port),
    PGDATABASE: answer.database,
    PGUSER: answer.dbUser,
    PGPASSWORD: answer.dbPassword,
    PGSSLMODE: answer.sslMode,
    ...(answer.sslRootCert === null ? {} : { PGSSLROOTCERT: answer.sslRootCert }),
  };
}

export async function runPsql(options: ClusterOptions, args: string[]): Promise<number> {
  const answer = await credentialsFor(options);
  const child = spawn('psql', args, { stdio: 'inherit', env: { ...process.env, ...libpqEnv(answer) } });
  return new Promise((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new CliError(
              'psql is not installed. Install the PostgreSQL client (Debian/Ubuntu: postgresql-client; macOS: brew install libpq).',
              EXIT.usage,
            )
          : err,
      ),
    );
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

export async function updatePgpass(options: ClusterOptions): Promise<void> {
  const answer = await credentialsFor(options);
  const path = await writePgpass(answer.connectionStrings.pgpass);
  process.stderr.write(
    `Wrote the password for ${answer.dbUser}@${answer.host}:${answer.port}/${answer.database} to ${path} (expires ${answer.expiration}).\n`,
  );
  // The connection without its password: psql finds that in the file.
  process.stdout.write(`${libpqConninfo({ ...answer, sslRootCert: answer.sslRootCert ?? undefined })}\n`);
}

export async function installCa(options: { server?: string; cluster: string }): Promise<void> {
  const server = await resolveServer(options.server);
  const path = await installCaBundle(server, options.cluster);
  if (path === undefined) {
    throw new CliError(
      `${options.cluster} has no CA bundle on ${server}: its certificate chains to public roots. With libpq 16+ use sslrootcert=system; older clients need the Amazon Redshift CA bundle in ~/.postgresql/root.crt.`,
      EXIT.usage,
    );
  }
  process.stdout.write(`${path}\n`);
}

export async function logout(options: { server?: string }): Promise<void> {
  const server = await resolveServer(options.server);
  const stored = await loadToken(server);
  if (stored === undefined) {
    process.stderr.write(`Not signed in to ${server}; nothing to do.\n`);
    return;
  }
  await callService(server, '/api/cli/revoke', { body: { token: stored.token } });
  await forgetToken(server);
  process.stderr.write(`Signed out of ${server}: the token is revoked and deleted.\n`);
}
