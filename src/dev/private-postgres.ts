// Starts a throwaway PostgreSQL server that checks passwords (SCRAM), for tests and demo mode: a fresh
// data directory in a temp dir, listening only on 127.0.0.1, removed again on stop. Needs the distro's
// PostgreSQL server binaries; when running as root it runs them as the `postgres` OS user.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../logger.ts';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** Superuser URL with password: postgresql://postgres:…@127.0.0.1:PORT/postgres */
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

const BINARY_ROOT = '/usr/lib/postgresql';
const HOST = '127.0.0.1';
// A free port can be taken between our probe and the server's bind; try again with a new one.
const START_ATTEMPTS = 3;

/** initdb and pg_ctl of the newest PostgreSQL under /usr/lib/postgresql/<version>/bin, or null. */
export function findPostgresBinaries(): { initdb: string; pgCtl: string } | null {
  if (!existsSync(BINARY_ROOT)) return null;
  const versions = readdirSync(BINARY_ROOT)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(BINARY_ROOT, version, 'bin');
    const initdb = join(bin, 'initdb');
    const pgCtl = join(bin, 'pg_ctl');
    if (existsSync(initdb) && existsSync(pgCtl)) return { initdb, pgCtl };
  }
  return null;
}

export interface PrivatePostgresOptions {
  logger?: Logger;
  /** Turns TLS on with this certificate and key (PEM files); the server then offers SSL as well. */
  tls?: { certFile: string; keyFile: string };
}

export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const logger = options.logger?.child({ module: 'private-postgres' });
  const binaries = findPostgresBinaries();
  if (!binaries) {
    throw new Error(`PostgreSQL server binaries not found under ${BINARY_ROOT}/*/bin (install the postgresql package)`);
  }
  const owner = await postgresOwner();
  const dir = await mkdtemp(join(tmpdir(), 'redshift-sso-pg-'));
  try {
    const dataDir = join(dir, 'data');
    const socketDir = join(dir, 'sock');
    const logFile = join(dir, 'postgres.log');
    const password = randomBytes(18).toString('hex');
    await mkdir(socketDir);
    const pwfile = join(dir, 'pwfile');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) {
      for (const path of [dir, socketDir, pwfile]) await chown(path, owner.uid, owner.gid);
    }
    // --no-sync and fsync=off: the cluster is thrown away, so durability only costs start-up time.
    const initdbArgs = [
      '-D',
      dataDir,
      '-A',
      'scram-sha-256',
      '-U',
      'postgres',
      `--pwfile=${pwfile}`,
      '--no-sync',
      '-E',
      'UTF8',
    ];
    await runAs(owner, binaries.initdb, initdbArgs, dir);
    await rm(pwfile);
    const tlsOptions = options.tls === undefined ? '' : await installTlsFiles(options.tls, dir, owner);

    const pgCtl = (args: string[]): Promise<void> => runAs(owner, binaries.pgCtl, ['-D', dataDir, ...args], dir);
    const port = await startServer(pgCtl, socketDir, logFile, tlsOptions);
    logger?.info({ host: HOST, port, dataDir }, 'private postgres started');

    let stopped = false;
    return {
      url: `postgresql://postgres:${encodeURIComponent(password)}@${HOST}:${port}/postgres`,
      host: HOST,
      port,
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await pgCtl(['-m', 'fast', '-w', 'stop']);
        } finally {
          await rm(dir, { recursive: true, force: true });
          logger?.info({ port }, 'private postgres stopped');
        }
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Copies of the certificate and key the server may read: PostgreSQL refuses a key others can read. */
async function installTlsFiles(
  tls: { certFile: string; keyFile: string },
  dir: string,
  owner: { uid: number; gid: number } | undefined,
): Promise<string> {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  await writeFile(cert, await readFile(tls.certFile), { mode: 0o644 });
  await writeFile(key, await readFile(tls.keyFile), { mode: 0o600 });
  if (owner) for (const path of [cert, key]) await chown(path, owner.uid, owner.gid);
  return ` -c ssl=on -c ssl_cert_file=${cert} -c ssl_key_file=${key}`;
}

async function startServer(
  pgCtl: (args: string[]) => Promise<void>,
  socketDir: string,
  logFile: string,
  extraOptions = '',
): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const serverOptions = `-p ${port} -k ${socketDir} -c listen_addresses=${HOST} -c fsync=off${extraOptions}`;
    try {
      await pgCtl(['-w', '-t', '30', '-l', logFile, '-o', serverOptions, 'start']);
      return port;
    } catch (error) {
      if (attempt >= START_ATTEMPTS) {
        const log = await readFile(logFile, 'utf8').catch(() => '');
        throw new Error(`private postgres did not start: ${(error as Error).message}\n${log.slice(-2000)}`, {
          cause: error,
        });
      }
    }
  }
}

/** The OS user to run PostgreSQL as: it refuses to run as root, so root hands it to `postgres`. */
async function postgresOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch (error) {
    throw new Error('running as root, but there is no `postgres` OS user to run PostgreSQL as', { cause: error });
  }
}

/** Runs in `cwd` (a directory the postgres user owns) so the tools don't trip over an unreadable one. */
async function runAs(owner: { uid: number } | undefined, command: string, args: string[], cwd: string): Promise<void> {
  const [file, argv] = owner ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  try {
    await run(file, argv, { timeout: 60_000, cwd });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${command.split('/').pop() ?? command} failed: ${stderr?.trim() || (error as Error).message}`, {
      cause: error,
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
