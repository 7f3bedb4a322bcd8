// Redshift GetClusterCredentials(WithIAM) / DescribeClusters and Redshift Serverless GetCredentials / GetWorkgroup
// as the emulator implements them (facts §1.3). The caller's SigV4 check happens before these run;
// each names the resource ARNs IAM would check and asks authorize.ts (the session policy) first.
// Making the issued login usable in PostgreSQL is db-logins.ts's job, reached through `issue`.
import { randomBytes, randomInt } from 'node:crypto';
import { authorize, redshiftArn, workgroupArn, type Caller, type PermissionRequest } from './authorize.ts';
import {
  findCluster,
  findWorkgroup,
  placedFor,
  workgroupIdOf,
  type EmulatorCluster,
  type EmulatorWorkgroup,
} from './resources.ts';
import type { DbLogin } from './db-logins.ts';
import { roleNameOf, type StsSession } from './sts.ts';
import { AwsFault, XmlList, epochSeconds } from './wire.ts';

export type { EmulatorCluster, EmulatorPlacement, EmulatorWorkgroup } from './resources.ts';

export interface RedshiftContext {
  clusters: readonly EmulatorCluster[];
  workgroups: readonly EmulatorWorkgroup[];
  minDbDurationSeconds: number;
  now: () => Date;
  /** Records the login (and, with PostgreSQL, creates it) before the credentials are returned. */
  issue: (login: DbLogin) => Promise<void>;
}

const MAX_DB_DURATION_SECONDS = 3600;
// DbUser / DbName: 1-64 chars, a letter first, then letters, digits, _ + . @ - (so no ':' or '/').
const DB_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_+.@-]{0,63}$/;
// Group names must be lowercase.
const DB_GROUP_PATTERN = /^[a-z][a-z0-9_+.@-]{0,63}$/;
// A few of Redshift's reserved words; the full list is long and this is an emulator.
const RESERVED = new Set(['public', 'user', 'group', 'select', 'table', 'all', 'session_user', 'current_user']);

export async function getClusterCredentials(
  params: Record<string, unknown>,
  caller: Caller,
  ctx: RedshiftContext,
): Promise<Record<string, unknown>> {
  const dbUser = stringParam(params.DbUser);
  if (dbUser === undefined) throw invalidParameter('DbUser is required');
  checkDbName('DbUser', dbUser);
  const dbName = stringParam(params.DbName);
  if (dbName !== undefined) checkDbName('DbName', dbName);
  const dbGroups = Array.isArray(params.DbGroups) ? params.DbGroups.map(String) : [];
  for (const group of dbGroups) {
    if (!DB_GROUP_PATTERN.test(group))
      throw invalidParameter(`DbGroup ${group} is not a valid group name: use lowercase letters, digits and _+.@-`);
  }
  const seconds = durationParam(params.DurationSeconds, ctx, (message) => invalidParameter(message));
  const autoCreate = stringParam(params.AutoCreate) === 'true';
  const id = authorizedClusterId(params, caller, ctx, (cluster) => {
    const dbUserArn = redshiftArn(caller, `dbuser:${cluster}/${dbUser}`);
    return [
      { action: 'redshift:GetClusterCredentials', resource: dbUserArn },
      ...(dbName === undefined
        ? []
        : [{ action: 'redshift:GetClusterCredentials', resource: redshiftArn(caller, `dbname:${cluster}/${dbName}`) }]),
      ...dbGroups.map((group) => ({
        action: 'redshift:JoinGroup',
        resource: redshiftArn(caller, `dbgroup:${cluster}/${group}`),
      })),
      ...(autoCreate ? [{ action: 'redshift:CreateClusterUser', resource: dbUserArn }] : []),
    ];
  });
  if (!findCluster(ctx, caller, id)) throw clusterNotFound(id);

  const login: DbLogin = {
    dbUser: `${autoCreate ? 'IAMA' : 'IAM'}:${dbUser}`,
    dbPassword: temporaryPassword(),
    expiration: new Date(ctx.now().getTime() + seconds * 1000),
    dbGroups,
  };
  await ctx.issue(login);
  return { DbUser: login.dbUser, DbPassword: login.dbPassword, Expiration: login.expiration };
}

/** GetClusterCredentialsWithIAM: the DB user is the role session's own, IAMR:<role-name> (facts §1.3.2). */
export async function getClusterCredentialsWithIam(
  params: Record<string, unknown>,
  caller: Caller,
  ctx: RedshiftContext,
): Promise<Record<string, unknown>> {
  const dbName = stringParam(params.DbName);
  if (dbName !== undefined) checkDbName('DbName', dbName);
  const seconds = durationParam(params.DurationSeconds, ctx, (message) => invalidParameter(message));
  // The API reference: with DbName the policy must allow its dbname resource; without, every database.
  const id = authorizedClusterId(params, caller, ctx, (cluster) => [
    {
      action: 'redshift:GetClusterCredentialsWithIAM',
      resource: redshiftArn(caller, `dbname:${cluster}/${dbName ?? '*'}`),
    },
  ]);
  if (!findCluster(ctx, caller, id)) throw clusterNotFound(id);
  const login = await issueRoleLogin(caller.session, seconds, ctx);
  return {
    DbUser: login.dbUser,
    DbPassword: login.dbPassword,
    Expiration: login.expiration,
    NextRefreshTime: login.expiration,
  };
}

/** A role session maps to one database user per role: IAMR:<role-name> (facts §1.3.2). */
async function issueRoleLogin(session: StsSession, seconds: number, ctx: RedshiftContext): Promise<DbLogin> {
  const login: DbLogin = {
    dbUser: `IAMR:${roleNameOf(session.roleArn)}`,
    dbPassword: temporaryPassword(),
    expiration: new Date(ctx.now().getTime() + seconds * 1000),
    dbGroups: [],
  };
  await ctx.issue(login);
  return login;
}

/** Only the caller's account's clusters in the region it signed for, as AWS answers. */
export function describeClusters(
  params: Record<string, unknown>,
  caller: Caller,
  ctx: RedshiftContext,
): Record<string, unknown> {
  const identifier = stringParam(params.ClusterIdentifier);
  authorize(caller, [
    { action: 'redshift:DescribeClusters', resource: redshiftArn(caller, `cluster:${identifier ?? '*'}`) },
  ]);
  const visible = ctx.clusters.filter((c) => placedFor(c, caller));
  const clusters = identifier === undefined ? visible : visible.filter((c) => c.clusterIdentifier === identifier);
  if (identifier !== undefined && clusters.length === 0) throw clusterNotFound(identifier);
  return {
    Clusters: new XmlList(
      'Cluster',
      clusters.map((cluster) => ({
        ClusterIdentifier: cluster.clusterIdentifier,
        ClusterStatus: cluster.status ?? 'available',
        ClusterAvailabilityStatus: (cluster.status ?? 'available') === 'available' ? 'Available' : 'Unavailable',
        Endpoint: { Address: cluster.host, Port: cluster.port },
      })),
    ),
  };
}

export async function getServerlessCredentials(
  params: Record<string, unknown>,
  caller: Caller,
  ctx: RedshiftContext,
): Promise<Record<string, unknown>> {
  const workgroup = findWorkgroup(params, caller, ctx);
  authorize(caller, [
    { action: 'redshift-serverless:GetCredentials', resource: workgroupArn(caller, workgroupIdOf(workgroup)) },
  ]);
  const seconds = durationParam(params.durationSeconds, ctx, (message) => new AwsFault('ValidationException', message));
  const login = await issueRoleLogin(caller.session, seconds, ctx);
  return {
    dbUser: login.dbUser,
    dbPassword: login.dbPassword,
    expiration: epochSeconds(login.expiration),
    nextRefreshTime: epochSeconds(login.expiration),
  };
}

export function getWorkgroup(
  params: Record<string, unknown>,
  caller: Caller,
  ctx: RedshiftContext,
): Record<string, unknown> {
  const workgroup = findWorkgroup(params, caller, ctx);
  const arn = workgroupArn(caller, workgroupIdOf(workgroup));
  authorize(caller, [{ action: 'redshift-serverless:GetWorkgroup', resource: arn }]);
  return {
    workgroup: {
      workgroupName: workgroup.workgroupName,
      workgroupId: workgroupIdOf(workgroup),
      workgroupArn: arn,
      status: workgroup.status ?? 'AVAILABLE',
      endpoint: { address: workgroup.host, port: workgroup.port },
    },
  };
}

/**
 * The cluster a credential call names, checked against the session policy before its existence
 * (as IAM authorizes before the service looks): by identifier, or by the cluster a custom domain
 * resolves to. An unknown custom domain has no cluster to name, so it is not found.
 */
function authorizedClusterId(
  params: Record<string, unknown>,
  caller: Caller,
  ctx: RedshiftContext,
  requests: (cluster: string) => PermissionRequest[],
): string {
  const customDomain = stringParam(params.CustomDomainName);
  const id =
    customDomain === undefined
      ? (stringParam(params.ClusterIdentifier) ?? '')
      : findCluster(ctx, caller, undefined, customDomain)?.clusterIdentifier;
  if (id === undefined) throw clusterNotFound(customDomain ?? '');
  authorize(caller, requests(id));
  return id;
}

function checkDbName(field: string, value: string): void {
  if (!DB_NAME_PATTERN.test(value) || RESERVED.has(value.toLowerCase())) {
    throw invalidParameter(
      `${field} ${value} is not valid: 1-64 characters, a letter first, then letters, digits or _+.@-; not a reserved word`,
    );
  }
}

function durationParam(value: unknown, ctx: RedshiftContext, fault: (message: string) => AwsFault): number {
  if (value === undefined) return Math.max(900, ctx.minDbDurationSeconds);
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < ctx.minDbDurationSeconds || seconds > MAX_DB_DURATION_SECONDS) {
    throw fault(`The duration must be between ${ctx.minDbDurationSeconds} and ${MAX_DB_DURATION_SECONDS} seconds.`);
  }
  return seconds;
}

/**
 * Base64 like Redshift's temporary passwords, and always containing '/', '+' and '=' so that clients
 * which forget to escape them in URLs and connection strings fail in tests rather than in production.
 */
function temporaryPassword(): string {
  // 49 bytes -> 68 base64 characters ending in "==".
  const chars = [...randomBytes(49).toString('base64')];
  const body = chars.length - 2;
  for (const special of ['/', '+']) {
    if (chars.slice(0, body).includes(special)) continue;
    let index = randomInt(body);
    while (chars[index] === '/' || chars[index] === '+') index = randomInt(body);
    chars[index] = special;
  }
  return chars.join('');
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

function invalidParameter(message: string): AwsFault {
  return new AwsFault('InvalidParameterValue', message);
}

function clusterNotFound(identifier: string): AwsFault {
  return new AwsFault('ClusterNotFound', `Cluster ${identifier} not found.`, 404);
}
