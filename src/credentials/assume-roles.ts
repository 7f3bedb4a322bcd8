// Use case at the ACS: trade the just-validated SAML response for a role session for every
// granted role that may reach a cluster, in parallel (at most 10 at once), right away: STS redeems
// a response only within ~5 minutes of issue. Sessions come back sealed; the response is not kept.
import { isAppError, RoleNotPermitted, type AppError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { StsApi } from '../aws/ports.ts';
import type { FederatedIdentity, RolePair } from '../saml/federated-identity.ts';
import type { RoleSessionVault, SealBinding } from './role-session-vault.ts';

export const MAX_PARALLEL_STS_CALLS = 10;
const DEFAULT_DURATION_SECONDS = 3600;
/** The shortest DurationSeconds STS takes. */
const MIN_DURATION_SECONDS = 900;

export interface RoleGrant extends RolePair {
  status: 'ready' | 'refused';
  /** Sealed RoleSession, when ready. */
  sealed?: string;
  expiresAt?: string;
  error?: { code: ErrorCode; status: number; message: string };
  awsRequestId?: string;
}

export interface AssumeRolesDeps {
  sts: StsApi;
  vault: RoleSessionVault;
  logger: Logger;
}

export interface AssumeRolesInput {
  identity: FederatedIdentity;
  samlResponse: string;
  /** The browser session the role sessions are sealed for. */
  sessionId: string;
  maxSessionDurationSeconds: number;
  /** Seconds until the assertion's SessionNotOnOrAfter, when it has one. */
  sessionSecondsLeft?: number;
  mayUseAnyCluster: (roleArn: string) => boolean;
  /** The inline session policy for a role's session (JSON), or undefined for none. */
  sessionPolicy?: (roleArn: string, identity: FederatedIdentity) => string | undefined;
}

export async function assumeGrantedRoles(deps: AssumeRolesDeps, input: AssumeRolesInput): Promise<RoleGrant[]> {
  // Checked before STS is asked: a role session that cannot be sealed for a session is wasted.
  if (input.sessionId === '') throw new Error('role sessions must be sealed for a browser session');
  const usable = input.identity.roles.filter((r) => input.mayUseAnyCluster(r.roleArn));
  if (usable.length === 0) {
    throw new RoleNotPermitted({
      code: 'ROLE_NOT_PERMITTED',
      publicMessage: `None of your roles may use a cluster here (${input.identity.roles.map((r) => r.roleArn).join(', ')}). Ask an administrator to add your role to a cluster's roles.`,
    });
  }
  const durationSeconds = roleSessionSeconds(input);
  const binding: SealBinding = {
    sessionId: input.sessionId,
    idpId: input.identity.idpId,
    nameId: input.identity.nameId,
  };
  return mapLimit(usable, MAX_PARALLEL_STS_CALLS, (role) =>
    assumeOne(
      deps,
      role,
      input.samlResponse,
      durationSeconds,
      binding,
      input.sessionPolicy?.(role.roleArn, input.identity),
    ),
  );
}

/**
 * One hour unless the IdP sends SessionDuration, never above the IdP entry's maximum (default
 * 3600), nor past SessionNotOnOrAfter. STS takes nothing under 900 s; with less left than that we
 * still ask for 900, because STS itself ends a session at SessionNotOnOrAfter when that comes
 * first (AssumeRoleWithSAML API reference), so the role session cannot outlive it either way.
 */
export function roleSessionSeconds(
  input: Pick<AssumeRolesInput, 'identity' | 'maxSessionDurationSeconds' | 'sessionSecondsLeft'>,
): number {
  const wanted = Math.min(
    input.identity.sessionDurationSeconds ?? DEFAULT_DURATION_SECONDS,
    input.maxSessionDurationSeconds,
  );
  if (input.sessionSecondsLeft === undefined) return wanted;
  return Math.max(MIN_DURATION_SECONDS, Math.min(wanted, input.sessionSecondsLeft));
}

async function assumeOne(
  deps: AssumeRolesDeps,
  role: RolePair,
  samlAssertion: string,
  durationSeconds: number,
  binding: SealBinding,
  policy: string | undefined,
): Promise<RoleGrant> {
  const call = (seconds: number) =>
    deps.sts.assumeRoleWithSaml({
      ...role,
      samlAssertion,
      durationSeconds: seconds,
      ...(policy === undefined ? {} : { policy }),
    });
  try {
    let result;
    try {
      result = await call(durationSeconds);
    } catch (err) {
      // The role's MaxSessionDuration is below what we asked; one hour is what every role allows.
      if (!(isAppError(err) && err.code === 'AWS_DURATION_TOO_LONG') || durationSeconds <= DEFAULT_DURATION_SECONDS)
        throw err;
      result = await call(DEFAULT_DURATION_SECONDS);
    }
    return {
      ...role,
      status: 'ready',
      sealed: deps.vault.seal({ ...result.value, roleArn: role.roleArn }, binding),
      expiresAt: result.value.expiration.toISOString(),
      awsRequestId: result.requestId,
    };
  } catch (err) {
    const appError = isAppError(err) ? err : undefined;
    deps.logger.warn(
      {
        roleArn: role.roleArn,
        code: appError?.code,
        details: appError?.details,
        err: appError === undefined ? err : undefined,
      },
      'role refused by sts',
    );
    return { ...role, status: 'refused', error: describe(appError) };
  }
}

function describe(err: AppError | undefined): { code: ErrorCode; status: number; message: string } {
  if (err === undefined || !err.expose)
    return { code: err?.code ?? 'INTERNAL_ERROR', status: 502, message: 'The role could not be assumed.' };
  return { code: err.code, status: err.status, message: err.publicMessage };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
