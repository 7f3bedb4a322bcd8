// A ServiceProvider for one IdP connection, built the way app.ts builds it (buildConfig, spSettings,
// resolveIdpConnection) over an in-memory SQLite store, plus the SP-initiated step that stores an
// AuthnRequest ID. Used by the IdP-shape and SAML-feature tests; no HTTP, no AWS.
import { spSettings } from '../../src/saml/sp-settings.ts';
import { buildConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { resolveIdpConnection } from '../../src/saml/idp-connection.ts';
import { ServiceProvider, type ValidatedLogin } from '../../src/saml/service-provider.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { authnRequestIdOf } from './http-flow.ts';
import { fixtureKeys, TEST_IDP_ISSUER } from './sign-response.ts';
import { testSessionSecret } from './test-secret.ts';

export const SHAPE_BASE_URL = 'https://redshift-sso.example.com';
export const SHAPE_IDP_ID = 'test';
export const SHAPE_ACS_URL = `${SHAPE_BASE_URL}/saml/acs/${SHAPE_IDP_ID}`;

export interface ShapeSpOptions {
  /** Merged over the IdP entry (entityId, wantAssertionsSigned, clockSkewSeconds, ...). */
  idp?: Record<string, unknown>;
  /** Merged over the `sp` section (decryptionKey, audiences, ...). */
  sp?: Record<string, unknown>;
  /** The SP's clock for its own checks; node-saml always reads the real clock. */
  now?: () => Date;
}

export interface ShapeSp {
  sp: ServiceProvider;
  config: Config;
  acsUrl: string;
  /** SP-initiated: asks for the redirect URL and returns the AuthnRequest ID it carries. */
  startLogin(): Promise<string>;
  /** validateResponse for the `test` IdP, from XML (base64-encoded here, as the browser posts it). */
  validateXml(xml: string): Promise<ValidatedLogin>;
  close(): Promise<void>;
}

export function aShapeServiceProvider(options: ShapeSpOptions = {}): ShapeSp {
  const config = buildConfig(
    {
      server: { baseUrl: SHAPE_BASE_URL, sessionSecret: testSessionSecret(), trustProxy: 'loopback' },
      sp: { ...options.sp },
      idps: [
        {
          id: SHAPE_IDP_ID,
          entityId: TEST_IDP_ISSUER,
          ssoUrl: 'https://idp.test.example/sso',
          certs: [fixtureKeys.idp.certificate],
          ...options.idp,
        },
      ],
      store: { url: 'sqlite::memory:' },
    },
    {},
  );
  const entry = config.idps[0];
  if (entry === undefined) throw new Error('the test configuration has no IdP entry');
  const connection = resolveIdpConnection(entry, {
    index: 0,
    defaultClockSkewSeconds: config.sp.clockSkewSeconds,
    defaultMaxResponseAgeSeconds: config.sp.maxResponseAgeSeconds,
    defaultMaxAuthnAgeSeconds: config.sp.maxAuthnAgeSeconds,
    adminGroupsAttribute: config.admin.groupsAttribute,
  });
  const store = openSqliteStore('sqlite::memory:');
  const sp = new ServiceProvider(spSettings(config), [connection], store, store, options.now ?? (() => new Date()));
  return {
    sp,
    config,
    acsUrl: sp.acsUrl(SHAPE_IDP_ID),
    startLogin: async () => authnRequestIdOf(await sp.loginRedirectUrl(SHAPE_IDP_ID, '/')),
    validateXml: (xml) => sp.validateResponse(SHAPE_IDP_ID, Buffer.from(xml, 'utf8').toString('base64')),
    close: () => store.close(),
  };
}
