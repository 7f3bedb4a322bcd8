// What a test does with the harness's running service: start a sign-in, sign a response for the
// ACS, post it, plant or open a session, and the admin console's steps (setup token, CSRF posts).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import type { App } from '../../src/app.ts';
import type { RoleSession } from '../../src/aws/ports.ts';
import type { AwsEmulator, EmulatorCall } from '../../src/dev/aws-emulator.ts';
import { ADMIN_GROUP, csrfOf, signInWithSetupToken } from './admin-forms.ts';
import type { CookieClient } from './cookie-client.ts';
import { openRoleSessions, sessionIdOf } from './session-inspect.ts';
import { aSamlResponse, REDSHIFT_DB_GROUPS, type SamlResponseOverrides } from './sign-response.ts';

const TEST_IDP_ID = 'test';
const SESSION_COOKIE = 'redshift-sso';

export interface PostAcsOptions {
  /** Ask for JSON errors (Accept: application/json); default HTML like a browser. */
  json?: boolean;
  idp?: string;
  relayState?: string;
  /** Leave SAMLResponse out of the form altogether. */
  omit?: boolean;
}

export interface SignInOptions extends SamlResponseOverrides {
  /** DbGroups values (default Analysts: not an admin). */
  groups?: string[];
  /** Ask for JSON errors. */
  json?: boolean;
  userAgent?: string;
}

export interface HarnessFlows {
  /** The ACS URL of an IdP (public base URL). */
  acsUrlOf(idpId: string): string;
  /** GET /login/:idp (default `test`, with the harness's client); returns the AuthnRequest ID. */
  startLogin(idpId?: string, client?: CookieClient): Promise<string>;
  /** A signed response for the ACS; InResponseTo is a fresh request ID unless given (`undefined` leaves it out). */
  validResponse(overrides?: SamlResponseOverrides): Promise<string>;
  postAcs(samlResponse: string, options?: PostAcsOptions): Promise<Response>;
  /** SP-initiated sign-in of the harness's client with a valid response; asserts nothing, returns the ACS answer. */
  signIn(overrides?: SamlResponseOverrides): Promise<Response>;
  /** SP-initiated sign-in of `client` through `idpId`; returns the ACS answer and the response posted. */
  signIn(
    client: CookieClient,
    idpId: string,
    options?: SignInOptions,
  ): Promise<{ res: Response; samlResponse: string }>;
  /** A signed response from the fixture IdP (DbGroups included), answering a fresh AuthnRequest of this client. */
  samlResponseFor(client: CookieClient, idpId: string, options?: SignInOptions): Promise<string>;
  /** Emulator calls made since `mark` (an index from `emulator.calls.length`). */
  callsSince(mark: number): EmulatorCall[];
  /** The session ID inside a signed session cookie value. */
  sessionIdOf(cookieValue: string): string;
  /** Stores an anonymous session and gives the client its signed cookie (a planted, pre-login session). */
  plantSession(client?: CookieClient): Promise<string>;
  /** The role sessions sealed in a signed-in client's server-side session, opened. */
  roleSessionsOf(client?: CookieClient): Promise<RoleSession[]>;
  /** Enters the setup token on /admin/setup; asserts it opened the console. */
  signInWithSetupToken(client: CookieClient, token: string): Promise<void>;
  /** In a setup-token session: saves the first IdP and asserts that this ended the session. */
  saveFirstIdp(client: CookieClient, fields: Record<string, string>): Promise<void>;
  /** Signs in through that IdP as a member of admin.groups; asserts it worked. */
  signInAsAdmin(client: CookieClient, idpId: string, options?: SignInOptions): Promise<void>;
  /** The session's CSRF token, read from a page it is on. */
  csrf(client: CookieClient): Promise<string>;
  /** POSTs a form with the session's CSRF token (JSON errors). */
  post(client: CookieClient, path: string, fields: Record<string, string>): Promise<Response>;
}

export interface FlowContext {
  publicBaseUrl: string;
  sessionSecret: string;
  service: App;
  emulator: AwsEmulator;
  client: CookieClient;
  newClient(): CookieClient;
}

export function harnessFlows(ctx: FlowContext): HarnessFlows {
  const { client, service } = ctx;
  const acsUrlOf = (idpId: string) => `${ctx.publicBaseUrl}/saml/acs/${idpId}`;

  const startLogin = async (idpId = TEST_IDP_ID, target = client): Promise<string> => {
    const res = await target.get(`/login/${idpId}`);
    if (res.status !== 302) throw new Error(`GET /login/${idpId} answered ${res.status}, expected 302`);
    const samlRequest = new URL(res.headers.get('location') ?? '').searchParams.get('SAMLRequest');
    if (samlRequest === null) throw new Error('the IdP redirect carries no SAMLRequest');
    return authnRequestId(samlRequest);
  };

  const validResponse = async (overrides: SamlResponseOverrides = {}): Promise<string> => {
    const inResponseTo = 'inResponseTo' in overrides ? overrides.inResponseTo : await startLogin();
    return aSamlResponse({
      destination: acsUrlOf(TEST_IDP_ID),
      recipient: acsUrlOf(TEST_IDP_ID),
      ...overrides,
      inResponseTo,
    });
  };

  const postAcs = (samlResponse: string, opts: PostAcsOptions = {}): Promise<Response> => {
    const fields: Record<string, string> = opts.omit === true ? {} : { SAMLResponse: samlResponse };
    if (opts.relayState !== undefined) fields.RelayState = opts.relayState;
    const accept = opts.json === true ? 'application/json' : 'text/html,application/xhtml+xml';
    return client.postForm(`/saml/acs/${opts.idp ?? TEST_IDP_ID}`, fields, { accept });
  };

  const samlResponseFor = async (target: CookieClient, idpId: string, opts: SignInOptions = {}): Promise<string> => {
    const requestId = await startLogin(idpId, target);
    const { groups, json: _json, userAgent: _ua, ...overrides } = opts;
    return aSamlResponse({
      destination: acsUrlOf(idpId),
      recipient: acsUrlOf(idpId),
      inResponseTo: requestId,
      ...overrides,
      extraAttributes: { [REDSHIFT_DB_GROUPS]: groups ?? ['Analysts'], ...overrides.extraAttributes },
    });
  };

  const signInThrough = async (target: CookieClient, idpId: string, opts: SignInOptions = {}) => {
    const samlResponse = await samlResponseFor(target, idpId, opts);
    const res = await target.postForm(
      `/saml/acs/${idpId}`,
      { SAMLResponse: samlResponse },
      {
        accept: opts.json === true ? 'application/json' : 'text/html',
        ...(opts.userAgent === undefined ? {} : { 'user-agent': opts.userAgent }),
      },
    );
    return { res, samlResponse };
  };

  function signIn(overrides?: SamlResponseOverrides): Promise<Response>;
  function signIn(
    target: CookieClient,
    idpId: string,
    opts?: SignInOptions,
  ): Promise<{ res: Response; samlResponse: string }>;
  async function signIn(first?: CookieClient | SamlResponseOverrides, idpId?: string, opts?: SignInOptions) {
    if (idpId !== undefined) return signInThrough(first as CookieClient, idpId, opts);
    return postAcs(await validResponse((first ?? {}) as SamlResponseOverrides));
  }

  return {
    acsUrlOf,
    startLogin,
    validResponse,
    postAcs,
    signIn,
    samlResponseFor,
    callsSince: (mark) => ctx.emulator.calls.slice(mark),
    sessionIdOf,
    async plantSession(target = client) {
      const sid = `planted-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const expires = new Date(Date.now() + 3600_000);
      const data = {
        cookie: {
          originalMaxAge: 3600_000,
          expires: expires.toISOString(),
          httpOnly: true,
          path: '/',
          sameSite: 'lax',
          secure: false,
        },
      };
      await service.store.setSession(sid, JSON.stringify(data), expires);
      // express-session signs with cookie-signature: HMAC-SHA256, base64 without padding.
      const signature = createHmac('sha256', ctx.sessionSecret).update(sid).digest('base64').replace(/=+$/, '');
      target.setCookie(SESSION_COOKIE, encodeURIComponent(`s:${sid}.${signature}`));
      return sid;
    },
    roleSessionsOf: (target = client) =>
      openRoleSessions(service.store, ctx.sessionSecret, target.cookie(SESSION_COOKIE)),
    signInWithSetupToken,
    async saveFirstIdp(target, fields) {
      const res = await target.postForm('/admin/idps', { _csrf: await csrfOf(target), ...fields });
      const html = await res.text();
      assert.equal(res.status, 200, html.slice(0, 500));
      assert.match(html, /First IdP connection saved/);
      assert.equal((await target.get('/admin')).status, 302, 'the setup-token session has ended');
    },
    async signInAsAdmin(target, idpId, opts = {}) {
      const samlResponse = await samlResponseFor(target, idpId, { groups: [ADMIN_GROUP], ...opts });
      const res = await target.postForm(
        `/saml/acs/${idpId}`,
        { SAMLResponse: samlResponse },
        { accept: 'application/json' },
      );
      assert.equal(res.status, 303, await res.text());
      assert.equal((await target.get('/admin')).status, 200, 'an admin now');
    },
    csrf: csrfOf,
    async post(target, path, fields) {
      return target.postForm(path, { _csrf: await csrfOf(target), ...fields }, { accept: 'application/json' });
    },
  };
}

/** The ID of a deflated, base64 AuthnRequest (HTTP-Redirect binding). */
export function authnRequestId(samlRequest: string): string {
  const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
  const id = /<(?:\w+:)?AuthnRequest\b[^>]*\sID="([^"]+)"/.exec(xml)?.[1];
  if (id === undefined) throw new Error('the AuthnRequest has no ID');
  return id;
}
