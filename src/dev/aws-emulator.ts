// A local AWS emulator that supports a very small subset of AWS (like Teleport's test servers): STS
// AssumeRoleWithSAML, Redshift GetClusterCredentials / DescribeClusters and Redshift Serverless
// GetCredentials / GetWorkgroup, over real HTTP so the real AWS SDK v3 clients talk to it unchanged
// (AWS_ENDPOINT_URL_STS / _REDSHIFT / _REDSHIFT_SERVERLESS may all point at its one URL). A
// session's inline session policy is enforced on those Redshift calls; role policies are not modelled.
// This file starts and stops the server; reading, dispatching and recording calls is in aws-emulator/.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import { createCallControls, type HeldCall, type InjectedError } from './aws-emulator/call-controls.ts';
import { createCallLog, type EmulatorCall } from './aws-emulator/call-log.ts';
import { createDbLoginProvisioner, type DbLogin, type DbLoginProvisioner } from './aws-emulator/db-logins.ts';
import type { EmulatorActions } from './aws-emulator/dispatch.ts';
import { createRequestHandler, internalFailure } from './aws-emulator/http-handler.ts';
import type { EmulatorCluster, EmulatorWorkgroup } from './aws-emulator/redshift.ts';
import type { EmulatorSamlProvider, StsSession } from './aws-emulator/sts.ts';

export type { EmulatorCall, EmulatorCluster, EmulatorSamlProvider, EmulatorWorkgroup, HeldCall, InjectedError };

export interface AwsEmulatorOptions {
  samlProviders: EmulatorSamlProvider[];
  clusters: EmulatorCluster[];
  workgroups?: EmulatorWorkgroup[];
  /** roleArn -> MaxSessionDuration seconds (default 3600 for every role) */
  roleMaxSessionDuration?: Record<string, number>;
  /** Lowest DurationSeconds accepted by GetClusterCredentials/GetCredentials (AWS: 900). Tests lower it. */
  minDbDurationSeconds?: number;
  /** When set, issued DB users are created in this PostgreSQL (a superuser URL) so the password really logs in. */
  postgresAdminUrl?: string;
  logger?: Logger;
  now?: () => Date;
}

export interface AwsEmulator {
  url: string;
  calls: EmulatorCall[];
  /** The next call of `action` fails with this error, before any other check. */
  failNext(action: string, error: InjectedError): void;
  /** The next call of `action` waits until released, so a test can keep a request in flight. */
  holdNext(action: string): HeldCall;
  close(): Promise<void>;
}

export async function startAwsEmulator(
  options: AwsEmulatorOptions,
  listen: { host?: string; port?: number } = {},
): Promise<AwsEmulator> {
  const logger = options.logger?.child({ module: 'aws-emulator' });
  const provisioner = options.postgresAdminUrl
    ? await createDbLoginProvisioner(options.postgresAdminUrl, logger)
    : undefined;
  const controls = createCallControls();
  const log = createCallLog(logger);
  const actions = emulatorActions(options, provisioner, logger);
  const handle = createRequestHandler({ actions, controls, log, logger });
  const server = createServer((req, res) => void handle(req, res));
  const url = await listenOn(server, listen);
  logger?.warn({ url }, 'AWS emulator listening: development only, issues fake AWS credentials');

  return {
    url,
    calls: log.calls,
    failNext: controls.failNext,
    holdNext: controls.holdNext,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await provisioner?.close();
    },
  };
}

/** The state the action handlers share: STS sessions, the fake resources, and DB login issue. */
function emulatorActions(
  options: AwsEmulatorOptions,
  provisioner: DbLoginProvisioner | undefined,
  logger: Logger | undefined,
): EmulatorActions {
  const now = options.now ?? (() => new Date());
  const sessions = new Map<string, StsSession>();
  return {
    sts: {
      providers: options.samlProviders,
      roleMaxSessionDuration: options.roleMaxSessionDuration ?? {},
      sessions,
      now,
    },
    redshift: {
      clusters: options.clusters,
      workgroups: options.workgroups ?? [],
      minDbDurationSeconds: options.minDbDurationSeconds ?? 900,
      now,
      issue: async (login: DbLogin) => {
        if (!provisioner) return;
        try {
          await provisioner.provision(login);
        } catch (error) {
          const { message, code } = error as { message?: string; code?: string };
          logger?.error({ err: { message, code }, dbUser: login.dbUser }, 'could not create the postgres login');
          throw internalFailure();
        }
      },
    },
  };
}

/** Listens (port 0 and loopback unless told) and returns the URL to give the SDK clients. */
async function listenOn(server: Server, listen: { host?: string; port?: number }): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port ?? 0, listen.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
