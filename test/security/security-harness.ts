// The apps the attack corpus runs against: test/support/app-harness.ts (real node-saml, real AWS SDK,
// its own AWS emulator and log capture) with rate limits raised so hundreds of
// attacks fit in one window, and optionally a shared SQLite file and a shared public base URL so
// two instances can stand behind one load balancer (cross-instance replay).
import { startAppHarness, testIdpEntry, type AppHarness } from '../support/app-harness.ts';
import type { CookieClient } from '../support/cookie-client.ts';
import { fixtureKeys, TEST_PRINCIPAL_ARN, TEST_ROLE_ARN } from '../support/sign-response.ts';

export const IDP_ID = 'test';
/** A second IdP on the same service whose signing key the attacker holds. */
export const ATTACKER_IDP_ID = 'partner';
export const ATTACKER_IDP_ISSUER = 'https://partner-idp.example/metadata';
export const CLUSTER_IDENTIFIER = 'analytics-cluster';
const REQUEST_TIMEOUT_MS = 15_000;

/** The attacks' client: JSON errors asked for, and a timeout on every request so a hang is reported. */
export type Client = CookieClient;

export interface SecurityAppOptions {
  name: string;
  /** Merged over the `test` IdP entry. */
  idp?: Record<string, unknown>;
  /** `sqlite:PATH` to share a store between apps; default an in-memory one. */
  storeUrl?: string;
  /** The public URL in config (ACS URLs derive from it); default the loopback URL. */
  publicBaseUrl?: string;
  /** Configure sp.decryptionKey/Cert (the fixture SP pair). */
  decryption?: boolean;
}

/** The harness's parts the attacks use (`acsUrl` is the one the IdP addresses: the public base URL). */
export interface SecurityApp extends Pick<
  AppHarness,
  'baseUrl' | 'acsUrl' | 'config' | 'service' | 'emulator' | 'logs' | 'newClient' | 'close'
> {
  name: string;
  /** GET /login/:idp with `client`; returns the AuthnRequest ID. */
  startLogin(client: CookieClient, idpId?: string): Promise<string>;
}

export async function startSecurityApp(options: SecurityAppOptions): Promise<SecurityApp> {
  const h = await startAppHarness({
    emulator: {
      // IAM holds the SP's private key too (AddPrivateKey), so encrypted assertions reach STS intact.
      samlProviders: [
        { arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate], decryptionKeys: [fixtureKeys.sp.privateKey] },
      ],
      clusters: [{ clusterIdentifier: CLUSTER_IDENTIFIER, host: 'analytics.example.internal', port: 5439 }],
    },
    ...(options.publicBaseUrl === undefined ? {} : { publicBaseUrl: options.publicBaseUrl }),
    rateLimit: { acs: 100_000, login: 100_000, api: 100_000 },
    sp:
      options.decryption === true
        ? { decryptionKey: fixtureKeys.sp.privateKey, decryptionCert: fixtureKeys.sp.certificate }
        : {},
    idps: [
      testIdpEntry(options.idp),
      {
        id: ATTACKER_IDP_ID,
        name: 'Partner IdP',
        entityId: ATTACKER_IDP_ISSUER,
        ssoUrl: 'https://partner-idp.example/sso',
        certs: [fixtureKeys.attacker.certificate],
      },
    ],
    clusters: [{ id: 'analytics', name: 'Analytics', clusterIdentifier: CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
    config: { store: { url: options.storeUrl ?? 'sqlite::memory:' } },
    clientOptions: { headers: { accept: 'application/json' }, timeoutMs: REQUEST_TIMEOUT_MS },
  });
  return {
    name: options.name,
    baseUrl: h.baseUrl,
    acsUrl: h.acsUrl,
    config: h.config,
    service: h.service,
    emulator: h.emulator,
    logs: h.logs,
    newClient: h.newClient,
    startLogin: (client, idpId = IDP_ID) => h.startLogin(idpId, client),
    close: h.close,
  };
}
