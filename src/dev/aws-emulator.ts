// A local AWS emulator that supports a very small subset of AWS (like Teleport's test servers): STS
// AssumeRoleWithSAML, Redshift GetClusterCredentials / DescribeClusters and Redshift Serverless
// GetCredentials / GetWorkgroup, over real HTTP so the real AWS SDK v3 clients talk to it unchanged
// (AWS_ENDPOINT_URL_STS / _REDSHIFT / _REDSHIFT_SERVERLESS may all point at its one URL). A
// session's inline session policy is enforced on those Redshift calls; role policies are not modelled.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import { createDbLoginProvisioner, type DbLogin } from './aws-emulator/db-logins.ts';
import {
  describeClusters,
  getClusterCredentials,
  getClusterCredentialsWithIam,
  getServerlessCredentials,
  getWorkgroup,
  type EmulatorCluster,
  type EmulatorWorkgroup,
  type RedshiftContext,
} from './aws-emulator/redshift.ts';
import { verifySigV4 } from './aws-emulator/sigv4.ts';
import { assumeRoleWithSaml, type EmulatorSamlProvider, type StsContext, type StsSession } from './aws-emulator/sts.ts';
import {
  AwsFault,
  foldQueryParams,
  sendJsonError,
  sendJsonResult,
  sendQueryError,
  sendQueryResult,
  type Service,
} from './aws-emulator/wire.ts';

export type { EmulatorCluster, EmulatorSamlProvider, EmulatorWorkgroup };

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

export interface EmulatorCall {
  service: Service;
  action: string;
  /** Request parameters without secrets: never SAMLAssertion, keys or passwords. */
  params: Record<string, unknown>;
  ok: boolean;
  errorCode?: string;
  requestId: string;
}

export interface InjectedError {
  code: string;
  message: string;
  status: number;
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

export interface HeldCall {
  /** Resolves when the held call has arrived. */
  reached: Promise<void>;
  release(): void;
}

interface Hold {
  arrived(): void;
  released: Promise<void>;
}

interface ParsedCall {
  service: Service;
  action: string;
  params: Record<string, unknown>;
}

// A base64 SAMLAssertion may be 100,000 characters and grows when form-encoded.
const MAX_BODY_BYTES = 512 * 1024;
const UNRECORDED_PARAMS = new Set(['Action', 'Version', 'SAMLAssertion']);
const INTERNAL_FAILURE = 'The request processing has failed because of an unknown error, exception or failure.';

export async function startAwsEmulator(
  options: AwsEmulatorOptions,
  listen: { host?: string; port?: number } = {},
): Promise<AwsEmulator> {
  const logger = options.logger?.child({ module: 'aws-emulator' });
  const now = options.now ?? (() => new Date());
  const sessions = new Map<string, StsSession>();
  const calls: EmulatorCall[] = [];
  const injected = new Map<string, InjectedError[]>();
  const holds = new Map<string, Hold[]>();
  const provisioner = options.postgresAdminUrl
    ? await createDbLoginProvisioner(options.postgresAdminUrl, logger)
    : undefined;

  const sts: StsContext = {
    providers: options.samlProviders,
    roleMaxSessionDuration: options.roleMaxSessionDuration ?? {},
    sessions,
    now,
  };
  const redshift: RedshiftContext = {
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
        throw new AwsFault('InternalFailure', INTERNAL_FAILURE, 500);
      }
    },
  };

  async function dispatch(call: ParsedCall, req: IncomingMessage, body: Buffer): Promise<Record<string, unknown>> {
    const hold = holds.get(call.action)?.shift();
    if (hold) {
      hold.arrived();
      await hold.released;
    }
    const failure = injected.get(call.action)?.shift();
    if (failure) throw new AwsFault(failure.code, failure.message, failure.status);
    if (call.service === 'sts') {
      if (call.action === 'AssumeRoleWithSAML') return assumeRoleWithSaml(call.params, sts);
      throw new AwsFault('InvalidAction', `Could not find operation ${call.action} for version 2011-06-15`);
    }
    const dialect = call.service === 'redshift' ? 'query' : 'json';
    const signed = { method: req.method ?? 'POST', url: req.url ?? '/', rawHeaders: req.rawHeaders, body };
    const caller = verifySigV4(signed, call.service, dialect, sessions, now());
    switch (`${call.service}:${call.action}`) {
      case 'redshift:GetClusterCredentials':
        return getClusterCredentials(call.params, caller, redshift);
      case 'redshift:GetClusterCredentialsWithIAM':
        return getClusterCredentialsWithIam(call.params, caller, redshift);
      case 'redshift:DescribeClusters':
        return describeClusters(call.params, caller, redshift);
      case 'redshift-serverless:GetCredentials':
        return getServerlessCredentials(call.params, caller, redshift);
      case 'redshift-serverless:GetWorkgroup':
        return getWorkgroup(call.params, caller, redshift);
      default:
        throw dialect === 'query'
          ? new AwsFault('InvalidAction', `Could not find operation ${call.action} for version 2012-12-01`)
          : new AwsFault('UnknownOperationException', `Unknown operation ${call.action}`);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let call: ParsedCall | undefined;
    try {
      const body = await readBody(req);
      call = parseCall(req, body);
      const result = await dispatch(call, req, body);
      if (call.service === 'redshift-serverless') sendJsonResult(res, result, requestId);
      else sendQueryResult(res, call.service, call.action, result, requestId);
      record(call, requestId);
    } catch (error) {
      const fault = error instanceof AwsFault ? error : new AwsFault('InternalFailure', INTERNAL_FAILURE, 500);
      if (!(error instanceof AwsFault))
        logger?.error({ err: { message: (error as Error).message } }, 'aws emulator failure');
      const service = call?.service ?? 'redshift';
      if (service === 'redshift-serverless') sendJsonError(res, fault, requestId);
      else sendQueryError(res, service, fault, requestId);
      record(call ?? { service, action: 'Unknown', params: {} }, requestId, fault);
    }
  }

  function record(call: ParsedCall, requestId: string, fault?: AwsFault): void {
    const params = Object.fromEntries(Object.entries(call.params).filter(([name]) => !UNRECORDED_PARAMS.has(name)));
    calls.push({
      service: call.service,
      action: call.action,
      params,
      ok: !fault,
      ...(fault ? { errorCode: fault.code } : {}),
      requestId,
    });
    const fields = { service: call.service, action: call.action, requestId, errorCode: fault?.code };
    if (!fault) logger?.debug(fields, 'aws call');
    else if (fault.status < 500) logger?.warn({ ...fields, reason: fault.message }, 'aws call refused');
    else logger?.error(fields, 'aws call failed');
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port ?? 0, listen.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger?.warn({ url }, 'AWS emulator listening: development only, issues fake AWS credentials');

  return {
    url,
    calls,
    failNext(action, error) {
      injected.set(action, [...(injected.get(action) ?? []), error]);
    },
    holdNext(action) {
      let arrived = () => {};
      let release = () => {};
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.set(action, [...(holds.get(action) ?? []), { arrived, released }]);
      return { reached, release };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await provisioner?.close();
    },
  };
}

/** awsJson calls name their operation in X-Amz-Target; awsQuery calls in the form's Action field. */
function parseCall(req: IncomingMessage, body: Buffer): ParsedCall {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('RedshiftServerless.')) {
    const action = target.slice('RedshiftServerless.'.length);
    let params: unknown;
    try {
      params = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw new AwsFault('SerializationException', 'Request body is not valid JSON');
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new AwsFault('SerializationException', 'Request body must be a JSON object');
    }
    return { service: 'redshift-serverless', action, params: params as Record<string, unknown> };
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const action = form.get('Action') ?? '';
  const version = form.get('Version');
  const service = action === 'AssumeRoleWithSAML' || version === '2011-06-15' ? 'sts' : 'redshift';
  if (!action) throw new AwsFault('MissingAction', 'Missing Action');
  return { service, action, params: foldQueryParams(form) };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining past the limit so the error response can still be read by the client.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new AwsFault('RequestEntityTooLarge', 'Request body is too large', 413));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
