// The service under attack for the security tests: test/support/app-harness.ts (real app, real
// SAML validation, the AWS emulator on loopback) with the per-IP rate limits raised so thousands
// of requests from one address are judged on their content, and with the IdP's SSO URL settable.
import {
  SECOND_ROLE_ARN,
  startAppHarness,
  TEST_CLUSTER_IDENTIFIER,
  TEST_IDP_ID,
  type AppHarness,
} from '../support/app-harness.ts';
import { CookieClient } from '../support/cookie-client.ts';
import { authnRequestId } from '../support/harness-flows.ts';
import { TEST_ROLE_ARN, type SamlResponseOverrides } from '../support/sign-response.ts';

export { authnRequestId, CookieClient, SECOND_ROLE_ARN, TEST_IDP_ID };

const UNLIMITED = 1_000_000;

export interface SecurityAppOptions {
  /** Merged over the `test` IdP entry (allowIdpInitiated, ssoUrl, ...). */
  idp?: Record<string, unknown>;
  /** Replaces the default cluster (`analytics`, open to TEST_ROLE_ARN and SECOND_ROLE_ARN). */
  clusters?: Array<Record<string, unknown>>;
}

export interface SecurityApp extends Pick<
  AppHarness,
  'baseUrl' | 'acsUrl' | 'config' | 'service' | 'emulator' | 'client' | 'newClient' | 'callsSince' | 'close'
> {
  /** Log lines at level error or above (JSON text): a 500 always leaves one. */
  errorLogs: string[];
  /** Every refused request, from the error handler's "request refused" log lines, in order. */
  refusals: Array<{ code: string; status: number; method: string; path: string }>;
  /** GET /login/test with `client`; the AuthnRequest ID it sent to the IdP. */
  startLogin(client?: CookieClient): Promise<string>;
  /** A signed response for this ACS; a fresh InResponseTo unless one is given (`undefined` omits it). */
  validResponse(overrides?: SamlResponseOverrides): Promise<string>;
  /** Signs `client` in (SP-initiated) and checks it worked. */
  signIn(client?: CookieClient, overrides?: SamlResponseOverrides): Promise<void>;
}

export async function startSecurityApp(options: SecurityAppOptions = {}): Promise<SecurityApp> {
  const h = await startAppHarness({
    idp: options.idp,
    clusters: options.clusters ?? [
      {
        id: 'analytics',
        name: 'Analytics',
        clusterIdentifier: TEST_CLUSTER_IDENTIFIER,
        roles: [TEST_ROLE_ARN, SECOND_ROLE_ARN],
      },
    ],
    rateLimit: { windowSeconds: 60, login: UNLIMITED, acs: UNLIMITED, api: UNLIMITED },
    logLevel: 'warn',
    keepAliveTimeoutMs: 30_000,
  });
  const startLogin = (target: CookieClient = h.client): Promise<string> => h.startLogin(TEST_IDP_ID, target);
  const validResponse = async (overrides: SamlResponseOverrides = {}): Promise<string> => {
    const inResponseTo = 'inResponseTo' in overrides ? overrides.inResponseTo : await startLogin(h.newClient());
    return h.validResponse({ ...overrides, inResponseTo });
  };
  // Sorted from the harness's log lines as they are asked for (each line once).
  const errorLogs: string[] = [];
  const refusals: SecurityApp['refusals'] = [];
  let read = 0;
  const readLogs = () => {
    for (; read < h.logs.length; read++) {
      const line = h.logs[read] ?? '';
      if (/"level":(?:[5-9]\d)/.test(line)) errorLogs.push(line);
      if (line.includes('"msg":"request refused"')) {
        const entry = JSON.parse(line) as { code: string; status: number; method: string; path: string };
        refusals.push({ code: entry.code, status: entry.status, method: entry.method, path: entry.path });
      }
    }
    return { errorLogs, refusals };
  };
  return {
    baseUrl: h.baseUrl,
    acsUrl: h.acsUrl,
    config: h.config,
    service: h.service,
    emulator: h.emulator,
    get errorLogs() {
      return readLogs().errorLogs;
    },
    get refusals() {
      return readLogs().refusals;
    },
    client: h.client,
    newClient: h.newClient,
    startLogin,
    validResponse,
    async signIn(target = h.client, overrides = {}) {
      const inResponseTo = await startLogin(target);
      const res = await target.postForm(`/saml/acs/${TEST_IDP_ID}`, {
        SAMLResponse: await validResponse({ inResponseTo, ...overrides }),
      });
      if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${(await res.text()).slice(0, 300)}`);
    },
    callsSince: h.callsSince,
    close: h.close,
  };
}
