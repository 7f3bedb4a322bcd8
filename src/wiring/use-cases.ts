// The use cases over the core and the live connections: sign-in, database logins, the CLI's
// grants and tokens, the audit trail, and what the admin console and certificate checks read.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/ports.ts';
import { createRoleSessionVault } from '../credentials/role-session-vault.ts';
import { EndpointCache } from '../credentials/issue-db-login.ts';
import { DbLoginService } from '../credentials/db-login-service.ts';
import { SignInService } from '../sign-in/sign-in-service.ts';
import { createAuditTrail, type AuditTrail } from '../audit/audit-trail.ts';
import { createCliAudit } from '../audit/cli-audit.ts';
import { CliTokens } from '../cli-auth/cli-tokens.ts';
import { CodeGrant } from '../cli-auth/cli-code-grant.ts';
import { DeviceGrant } from '../cli-auth/cli-device-grant.ts';
import { certificateExpiries, type CertificateExpiry } from '../admin/certificate-expiry.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { Connections, Core } from './core.ts';

export type Vault = ReturnType<typeof createRoleSessionVault>;

export interface CliServices {
  tokens: CliTokens;
  codes: CodeGrant;
  devices: DeviceGrant;
}

export interface UseCases {
  vault: Vault;
  audit: AuditTrail;
  signIns: SignInService;
  dbLogins: DbLoginService;
  cli: CliServices;
  clusters: () => readonly ClusterConfig[];
  certificates: () => CertificateExpiry[];
  /** An IdP in the file or the console exists (the setup token stops working then). */
  hasAnyIdp: () => boolean;
}

export function buildUseCases(core: Core, { sp, registry }: Connections): UseCases {
  const { config, store, logger, now, metrics } = core;
  const clusters = () => registry.snapshot().clusters;
  const idpEnabled = (idpId: string) => registry.snapshot().idps.some((i) => i.id === idpId);
  const vault = createRoleSessionVault(config.server.sessionSecret);
  const audit = createAuditTrail(store, logger, now);
  const signIns = new SignInService({
    signIn: {
      sp,
      sts: core.sts,
      vault,
      logger,
      now,
      adminGroups: config.admin.groups,
      sessionMaxLifetimeSeconds: config.server.sessionMaxLifetimeSeconds,
    },
    dbLogin: { defaultRegion: config.aws.region },
    clusters,
    idpEnabled,
    audit,
    metrics,
    logger,
  });
  const dbLogins = new DbLoginService({
    dbLogin: { redshift: core.redshift, vault, defaultRegion: config.aws.region, endpoints: new EndpointCache(), now },
    clusters,
    idpEnabled,
    audit,
    metrics,
    logger,
  });
  return {
    vault,
    audit,
    signIns,
    dbLogins,
    cli: createCliServices(config, { store, vault, now, logger, idpEnabled }),
    clusters,
    certificates: () => certificateExpiries(registry.snapshot().idps, now()),
    hasAnyIdp: () => config.idps.length > 0 || registry.snapshot().records.idps.length > 0,
  };
}

/** The CLI's sign-in and tokens: one token service behind both grants, all audited. */
function createCliServices(
  config: Config,
  deps: { store: Store; vault: Vault; now: () => Date; logger: Logger; idpEnabled: (idpId: string) => boolean },
): CliServices {
  const audit = createCliAudit(deps.store, deps.logger, deps.now);
  const tokens = new CliTokens({
    store: deps.store,
    vault: deps.vault,
    idpEnabled: deps.idpEnabled,
    audit,
    now: deps.now,
  });
  const codes = new CodeGrant({
    grants: deps.store,
    tokens,
    audit,
    now: deps.now,
    codeTtlSeconds: config.cli.codeTtlSeconds,
  });
  const devices = new DeviceGrant({
    grants: deps.store,
    tokens,
    audit,
    now: deps.now,
    deviceCodeTtlSeconds: config.cli.deviceCodeTtlSeconds,
    pollIntervalSeconds: config.cli.pollIntervalSeconds,
  });
  return { tokens, codes, devices };
}
