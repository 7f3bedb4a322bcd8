// Every stable error code the service answers with: its HTTP status, what it means and what the
// person who sees it (or their admin) should do. `ErrorCode` is derived from these keys and types
// AppError's code, so a code that is not here fails the typecheck; docs/errors.md is generated
// from this table (`npm run docs`) and the fuzz tests accept only codes listed here.

export type ErrorArea = 'saml' | 'aws' | 'session' | 'request' | 'admin' | 'cli' | 'server' | 'demo';

export interface ErrorEntry {
  area: ErrorArea;
  /** The HTTP status it is answered with; null for a code only written to the audit trail. */
  status: number | null;
  meaning: string;
  action: string;
}

type Entries = Record<string, Omit<ErrorEntry, 'area'>>;

function inArea<T extends Entries>(area: ErrorArea, entries: T): { [K in keyof T]: ErrorEntry } {
  const withArea = Object.entries(entries).map(([code, e]) => [code, { area, ...e }]);
  return Object.fromEntries(withArea) as { [K in keyof T]: ErrorEntry };
}

const CHECK_CLOCKS = 'Check that the clocks of the IdP and this service are right (NTP), then sign in again.';
const SIGN_IN_AGAIN = 'Sign in again.';
const ADMIN_FIX_IDP = 'Admin: fix the IdP connection (its settings or the IdP side) as the message says.';

const SAML = inArea('saml', {
  SAML_RESPONSE_MISSING: {
    status: 400,
    meaning: 'The ACS request carries no SAMLResponse.',
    action: "Start the sign-in from this site; post the IdP's SAMLResponse field.",
  },
  SAML_RESPONSE_TOO_LARGE: {
    status: 413,
    meaning: 'The SAMLResponse (or a logout message) is over 100,000 characters.',
    action: 'Admin: make the IdP send fewer attributes or groups.',
  },
  SAML_MALFORMED: {
    status: 400,
    meaning:
      'Not a readable SAML message: not base64 XML, a DOCTYPE, no assertion ID, several Conditions (401), ' +
      'an unreadable IssueInstant, AuthnInstant or SessionNotOnOrAfter, or a logout message that does not ' +
      'inflate to at most 256 KiB of XML.',
    action: ADMIN_FIX_IDP,
  },
  SAML_XINCLUDE: {
    status: 400,
    meaning: 'The response or its decrypted assertion contains an XInclude element.',
    action: 'Refused by design; admin: check what sends such responses.',
  },
  SAML_DESTINATION_MISMATCH: {
    status: 401,
    meaning: "The Response Destination is not this connection's ACS URL.",
    action: 'Admin: set the ACS URL at the IdP to /saml/acs/<id> under server.baseUrl.',
  },
  SAML_RECIPIENT_MISMATCH: {
    status: 401,
    meaning: 'The bearer SubjectConfirmation Recipient is not this ACS URL.',
    action: 'Admin: set the ACS URL at the IdP to /saml/acs/<id> under server.baseUrl.',
  },
  SAML_SIGNATURE_INVALID: {
    status: 401,
    meaning:
      "The response is not signed by one of the connection's trusted certificates " +
      '(or the assertion is unsigned while wantAssertionsSigned is on).',
    action:
      "Admin: update the connection's certificates or metadata, " +
      'or set wantAssertionsSigned: false if the IdP signs only the Response.',
  },
  SAML_ALGORITHM_NOT_ALLOWED: {
    status: 401,
    meaning: 'The signature uses SHA-1 or another algorithm that is not accepted.',
    action: 'Admin: switch the IdP to RSA-SHA256, or set allowSha1Signatures for an old IdP.',
  },
  SAML_ISSUER_MISMATCH: {
    status: 401,
    meaning: "The response comes from another Issuer than the connection's entity ID.",
    action: "Admin: check the connection's entityId or metadata.",
  },
  SAML_AUDIENCE_MISMATCH: {
    status: 401,
    meaning: "The assertion's Audience is not one this service accepts.",
    action: "Admin: set the IdP's audience to urn:amazon:webservices or the SP entity ID, or add it to sp.audiences.",
  },
  SAML_EXPIRED: {
    status: 401,
    meaning: "The assertion's time window (NotOnOrAfter) has passed.",
    action: CHECK_CLOCKS,
  },
  SAML_NOT_YET_VALID: {
    status: 401,
    meaning: "The assertion's time window has not started, or an IssueInstant or AuthnInstant is in the future.",
    action: CHECK_CLOCKS,
  },
  SAML_SUBJECT_CONFIRMATION_INVALID: {
    status: 401,
    meaning: 'No valid bearer SubjectConfirmation for this service, or its time window cannot be read.',
    action: ADMIN_FIX_IDP,
  },
  SAML_RESPONSE_TOO_OLD: {
    status: 401,
    meaning: 'The Response or assertion IssueInstant is older than maxResponseAgeSeconds plus the clock skew.',
    action: 'Sign in again; a stored or delayed response is not accepted.',
  },
  SAML_AUTHN_TOO_OLD: {
    status: 401,
    meaning: 'The AuthnInstant is older than maxAuthnAgeSeconds plus the clock skew.',
    action: 'Sign in at the IdP again (log out there first).',
  },
  SAML_SESSION_EXPIRED: {
    status: 401,
    meaning: "The AuthnStatement's SessionNotOnOrAfter is past: the IdP session has ended.",
    action: 'Sign in at the IdP again.',
  },
  SAML_NAMEID_EMPTY: {
    status: 401,
    meaning: "The assertion's NameID is empty or only whitespace.",
    action: 'Admin: map a user name to the NameID at the IdP.',
  },
  SAML_UNSOLICITED: {
    status: 401,
    meaning: 'An IdP-initiated response (no InResponseTo) while allowIdpInitiated is off.',
    action: 'Start the sign-in from this site, or admin: set allowIdpInitiated.',
  },
  SAML_IN_RESPONSE_TO_UNKNOWN: {
    status: 401,
    meaning: 'The response answers a request this service did not send, already used, or that expired.',
    action: 'Start the sign-in again from this site.',
  },
  SAML_REPLAYED: { status: 401, meaning: 'This response (assertion ID) was already used.', action: 'Sign in again.' },
  SAML_LOGIN_NOT_BOUND: {
    status: 401,
    meaning:
      'HTTPS only: the response answers a sign-in started in another browser, or the login-binding cookie was blocked.',
    action: 'Start the sign-in again from this site in the same browser.',
  },
  SAML_MULTIPLE_ASSERTIONS: {
    status: 401,
    meaning: 'The response carries more than one assertion.',
    action: ADMIN_FIX_IDP,
  },
  SAML_ASSERTION_MISSING: { status: 401, meaning: 'The response carries no assertion.', action: ADMIN_FIX_IDP },
  SAML_DECRYPTION_KEY_MISSING: {
    status: 401,
    meaning: 'The assertion is encrypted but sp.decryptionKey is not set.',
    action: 'Admin: set sp.decryptionKey and sp.decryptionCert, or turn encryption off at the IdP.',
  },
  SAML_DECRYPTION_FAILED: {
    status: 401,
    meaning: 'The encrypted assertion cannot be decrypted with sp.decryptionKey.',
    action: 'Admin: give the IdP the certificate of sp.decryptionCert (SP metadata).',
  },
  SAML_IDP_ERROR: {
    status: 401,
    meaning: 'The IdP answered with a non-Success status (its status code and message are shown).',
    action: "Follow the IdP's message (often: the user is not assigned to the application).",
  },
  SAML_LOGOUT_MISSING: {
    status: 400,
    meaning: 'The SLO endpoint got no SAMLRequest or SAMLResponse.',
    action: "Admin: check the IdP's Single Logout URL.",
  },
  SAML_LOGOUT_UNSIGNED: {
    status: 401,
    meaning: 'An unsigned Redirect-binding logout message while wantLogoutSigned is on.',
    action: 'Admin: make the IdP sign logout messages, or set wantLogoutSigned: false.',
  },
  SAML_LOGOUT_INVALID: { status: 401, meaning: 'A logout message failed validation.', action: ADMIN_FIX_IDP },
  SAML_ATTRIBUTE_MISSING: {
    status: 401,
    meaning: 'The Role or RoleSessionName attribute is missing.',
    action: 'Admin: add the AWS attributes at the IdP (see the IdP setup guide).',
  },
  SAML_ATTRIBUTE_INVALID: {
    status: 401,
    meaning: 'An attribute has a bad value: RoleSessionName, DbUser, too many roles.',
    action: 'Admin: fix the attribute mapping at the IdP.',
  },
  SAML_NO_USABLE_ROLE: {
    status: 401,
    meaning: 'No role value is a valid "roleArn,principalArn" pair.',
    action: 'Admin: send role values as "arn:aws:iam::…:role/…,arn:aws:iam::…:saml-provider/…".',
  },
  SAML_INVALID: {
    status: 401,
    meaning: 'Any other validation failure of the SAML response.',
    action: 'Sign in again; admin: the log line with the request ID names the reason.',
  },
});

const AWS = inArea('aws', {
  AWS_ACCESS_DENIED: {
    status: 403,
    meaning: "AWS refused: the role's trust policy (SAML:aud), its permissions, or the session policy.",
    action: 'Admin: grant what the message names; after a cluster change, sign in again.',
  },
  AWS_SAML_EXPIRED: { status: 401, meaning: 'STS says the response is older than 5 minutes.', action: SIGN_IN_AGAIN },
  AWS_SAML_REJECTED: {
    status: 401,
    meaning: 'STS refused the response: IAM SAML provider metadata or RoleSessionName problem.',
    action: "Admin: upload the IdP's current metadata to the IAM SAML provider.",
  },
  AWS_SESSION_EXPIRED: {
    status: 401,
    meaning: 'The AWS role session expired or was not accepted.',
    action: SIGN_IN_AGAIN,
  },
  AWS_DURATION_TOO_LONG: {
    status: 400,
    meaning: "The requested session is longer than the role's MaxSessionDuration.",
    action: "Admin: lower maxSessionDurationSeconds or raise the role's MaxSessionDuration.",
  },
  AWS_CLUSTER_NOT_FOUND: {
    status: 404,
    meaning: 'Redshift has no cluster with that identifier in that region.',
    action: 'Admin: fix clusterIdentifier (case-sensitive) or region in the cluster entry.',
  },
  AWS_WORKGROUP_NOT_FOUND: {
    status: 404,
    meaning: 'Redshift Serverless has no workgroup with that name in that region.',
    action: 'Admin: fix workgroup or region in the cluster entry.',
  },
  AWS_UNAVAILABLE: {
    status: 502,
    meaning: 'AWS timed out, throttled or answered 5xx.',
    action: 'Try again in a moment.',
  },
  AWS_ERROR: {
    status: 502,
    meaning: 'Any other AWS refusal (its error name is shown).',
    action: "Admin: the log line with the request ID has AWS's message.",
  },
});

const SESSION = inArea('session', {
  NOT_SIGNED_IN: { status: 401, meaning: 'No signed-in session.', action: 'Sign in.' },
  SESSION_EXPIRED: {
    status: 401,
    meaning: "The session reached server.sessionMaxLifetimeSeconds (or the IdP's SessionNotOnOrAfter).",
    action: SIGN_IN_AGAIN,
  },
  ROLE_SESSION_MISSING: {
    status: 401,
    meaning: 'No AWS session for that role, or one sealed for another session or person.',
    action: SIGN_IN_AGAIN,
  },
  IDP_DISABLED: {
    status: 401,
    meaning: 'The IdP of this session or token was disabled, removed or replaced since.',
    action: SIGN_IN_AGAIN,
  },
  ROLE_NOT_GRANTED: {
    status: 403,
    meaning: 'The role asked for is not in your sign-in.',
    action: 'Choose one of your roles; admin: grant the role at the IdP.',
  },
  ROLE_NOT_PERMITTED: {
    status: 403,
    meaning: 'The role may not use that cluster, none of your roles may, or (at sign-in) none may use any cluster.',
    action: "Admin: add the role to the cluster's roles.",
  },
  ROLE_REQUIRED: {
    status: 400,
    meaning: 'Several of your roles may use the cluster.',
    action: 'Say which with "role".',
  },
  CLUSTER_UNKNOWN: {
    status: 404,
    meaning: 'There is no cluster with that id.',
    action: 'Use a cluster id from /api/me or the credentials page.',
  },
  PGPASS_UNREPRESENTABLE: {
    status: 500,
    meaning: 'A login field contains a line break and cannot be written as a .pgpass line.',
    action: "Admin: check the cluster's host and database settings.",
  },
});

const REQUEST = inArea('request', {
  BAD_REQUEST: {
    status: 400,
    meaning: 'The request is malformed (the message says what was expected).',
    action: 'Fix the request.',
  },
  BAD_JSON: { status: 400, meaning: 'The request body is not valid JSON.', action: 'Fix the request body.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning: 'The body is not JSON where JSON is required, or uses a charset or encoding not accepted.',
    action: 'Send application/json in UTF-8.',
  },
  REQUEST_TOO_LARGE: {
    status: 413,
    meaning: 'The body is too large, or has too many form fields.',
    action: 'Send a smaller request.',
  },
  CSRF_TOKEN_INVALID: {
    status: 403,
    meaning: 'The form token is missing or stale.',
    action: 'Reload the page and try again.',
  },
  CROSS_ORIGIN_REFUSED: {
    status: 403,
    meaning: 'A state-changing request from a foreign Origin.',
    action: 'Use the service from its own origin.',
  },
  RATE_LIMITED: {
    status: 429,
    meaning: 'Too many requests from your address (IPv6: your subnet) in this window (server.rateLimit).',
    action: "Wait for the Retry-After header's seconds.",
  },
  NOT_FOUND: { status: 404, meaning: 'There is no page at this address.', action: 'Check the URL.' },
  IDP_UNKNOWN: {
    status: 404,
    meaning: 'There is no enabled IdP connection with that id.',
    action: "Use a connection from the chooser page; admin: check the IdP's ACS URL.",
  },
  METRICS_TOKEN_INVALID: {
    status: 401,
    meaning: 'GET /metrics on the main port without the metrics.token bearer token.',
    action: 'Send Authorization: Bearer <metrics.token>.',
  },
  CA_BUNDLE_NOT_FOUND: {
    status: 404,
    meaning: 'The cluster has no CA bundle here.',
    action: 'Use the system trust store (sslrootcert=system).',
  },
  CA_BUNDLE_UNREADABLE: {
    status: 500,
    meaning: 'The configured CA bundle file cannot be read.',
    action: "Admin: fix clusters[].caBundle or the file's permissions.",
  },
});

const ADMIN = inArea('admin', {
  NO_ROLE_FOR_ACCOUNT: {
    status: null,
    meaning:
      "Test this cluster: none of the admin's role sessions is for the cluster's AWS account (reported in the result).",
    action: 'Sign in again with one of the roles the cluster lists.',
  },
  CLUSTER_NOT_TESTABLE: {
    status: null,
    meaning:
      'Test this cluster: the entry names the cluster only by its custom domain; DescribeClusters needs its identifier.',
    action: 'Admin: add the cluster identifier to the entry to test it.',
  },
  ADMIN_REQUIRED: {
    status: 403,
    meaning: 'An admin page or action without an admin session.',
    action: 'Sign in as a member of admin.groups.',
  },
  IDP_ADMIN_NOT_ALLOWED: {
    status: 403,
    meaning: 'Your IdP may no longer make admins (grantsAdmin is off).',
    action: 'Sign in through an IdP that grants admin.',
  },
  SETUP_SESSION_ENDED: {
    status: 401,
    meaning: 'A setup-token session after the first IdP connection was saved.',
    action: 'Sign in through that IdP.',
  },
  MANAGED_BY_CONFIGURATION: {
    status: 403,
    meaning: 'The console cannot change an IdP or cluster from the configuration file.',
    action: 'Edit the configuration file instead.',
  },
  EDIT_CONFLICT: {
    status: 409,
    meaning: 'Someone else changed or removed this console entry at the same time.',
    action: 'Reload and try again.',
  },
  IDP_EXISTS: { status: 400, meaning: 'An IdP connection with that id exists already.', action: 'Choose another id.' },
  IDP_INVALID: {
    status: 400,
    meaning: 'The IdP entry fails the configuration rules (each problem is listed).',
    action: 'Fix the listed fields.',
  },
  IDP_INCOMPLETE: {
    status: 400,
    meaning: 'Neither metadata nor entity ID, SSO URL and a certificate were given.',
    action: 'Give metadata XML, a metadata URL, or the three fields.',
  },
  IDP_METADATA_INVALID: {
    status: 400,
    meaning: 'The metadata is unreadable, cannot be fetched, or has no signing certificate.',
    action: 'Download the metadata again from the IdP.',
  },
  IDP_CERTIFICATES_REFUSED: {
    status: 400,
    meaning: 'Every certificate has expired, or one has an RSA key under 2048 bits.',
    action: 'Get a current certificate from the IdP.',
  },
  CERTIFICATE_INVALID: {
    status: 400,
    meaning: 'A pasted certificate is not a PEM X.509 certificate.',
    action: 'Paste the PEM, BEGIN and END lines included.',
  },
  LAST_CERTIFICATE: {
    status: 400,
    meaning: 'The last signing certificate of a connection cannot be retired.',
    action: 'Add the new certificate first.',
  },
  CERTIFICATE_UNKNOWN: {
    status: 404,
    meaning: 'The connection has no certificate with that fingerprint.',
    action: 'Reload the page.',
  },
  CLUSTER_INVALID: {
    status: 400,
    meaning: 'The cluster entry fails the configuration rules (each problem is listed).',
    action: 'Fix the listed fields.',
  },
  AUDIT_FILTER_INVALID: {
    status: 400,
    meaning: "An audit export's filter holds a value the service cannot use (each field and its problem is named).",
    action: 'Fix the named fields; the audit page shows each problem beside its field.',
  },
});

const CLI = inArea('cli', {
  CLI_AUTHORIZE_INVALID: {
    status: 400,
    meaning: "The CLI's sign-in link lacks a loopback redirect_uri, a PKCE S256 challenge or a state.",
    action: 'Run `redshift-sso login` again.',
  },
  CLI_CODE_INVALID: {
    status: 400,
    meaning: 'The one-time code is unknown or used (a refused redemption burns it too).',
    action: 'Run `redshift-sso login` again.',
  },
  CLI_CODE_EXPIRED: {
    status: 400,
    meaning: 'The one-time code is older than cli.codeTtlSeconds.',
    action: 'Run `redshift-sso login` again.',
  },
  PKCE_VERIFIER_MISMATCH: {
    status: 400,
    meaning: 'The code was redeemed with another PKCE verifier than it was issued for.',
    action: 'Run `redshift-sso login` again.',
  },
  CLI_REDIRECT_URI_MISMATCH: {
    status: 400,
    meaning: 'The code was redeemed with another redirect URI than it was issued for.',
    action: 'Run `redshift-sso login` again.',
  },
  CLI_STATE_MISMATCH: {
    status: 400,
    meaning: 'The code was redeemed with another state than it was issued for.',
    action: 'Run `redshift-sso login` again.',
  },
  CLI_DEVICE_CODE_INVALID: {
    status: 400,
    meaning: 'Device sign-in: the device code is unknown or used.',
    action: 'Run `redshift-sso login --device` again.',
  },
  CLI_DEVICE_CODE_EXPIRED: {
    status: 400,
    meaning: 'Device sign-in: nobody approved in time (OAuth expired_token).',
    action: 'Run `redshift-sso login --device` again.',
  },
  CLI_ACCESS_DENIED: {
    status: 403,
    meaning: 'Device sign-in: denied in the browser (OAuth access_denied).',
    action: 'Approve the sign-in, or ask who denied it.',
  },
  CLI_AUTHORIZATION_PENDING: {
    status: 400,
    meaning: 'Device sign-in: not approved yet.',
    action: 'Keep polling at the interval.',
  },
  CLI_SLOW_DOWN: {
    status: 400,
    meaning: 'Device sign-in: polling faster than the interval.',
    action: 'Poll 5 s more slowly.',
  },
  CLI_USER_CODE_INVALID: {
    status: 400,
    meaning: 'The code typed on /cli/device is unknown or used.',
    action: 'Check it against the one your terminal shows.',
  },
  CLI_USER_CODE_EXPIRED: {
    status: 400,
    meaning: 'The code typed on /cli/device has expired.',
    action: 'Start the sign-in on the other device again.',
  },
  CLI_GRANT_TYPE_UNSUPPORTED: {
    status: 400,
    meaning: 'The token endpoint got another grant_type.',
    action: 'Use authorization_code or the device_code grant.',
  },
  CLI_TOKEN_NOT_FOUND: {
    status: 404,
    meaning: 'You have no token with that ID to revoke.',
    action: 'List your tokens again; it may be revoked or expired.',
  },
  CLI_DENIED_BY_USER: {
    status: null,
    meaning: 'Audit trail only: a CLI sign-in was denied in the browser.',
    action: "None; it records a person's choice.",
  },
  TOKEN_INVALID: {
    status: 401,
    meaning: 'The bearer token is unknown or malformed.',
    action: 'Run `redshift-sso login`.',
  },
  TOKEN_REVOKED: { status: 401, meaning: 'The bearer token was revoked.', action: 'Run `redshift-sso login`.' },
  TOKEN_EXPIRED: {
    status: 401,
    meaning: "The bearer token's role sessions have ended.",
    action: 'Run `redshift-sso login`.',
  },
});

const SERVER = inArea('server', {
  CONFIG_INVALID: {
    status: 500,
    meaning: 'Invalid configuration: printed by path at start-up, exit status 1.',
    action: 'Admin: fix each listed field.',
  },
  STORE_UNAVAILABLE: {
    status: 502,
    meaning: 'The PostgreSQL store cannot be reached or migrated (at start-up: exit status 1).',
    action: 'Admin: check store.url and the database.',
  },
  INTERNAL_ERROR: {
    status: 500,
    meaning: 'An unexpected failure; the cause is logged, never shown.',
    action: 'Admin: look up the request ID in the log.',
  },
});

const DEMO = inArea('demo', {
  DEMO_IDP_BAD_REQUEST: {
    status: 400,
    meaning: 'Demo IdP: the SAMLRequest or RelayState is missing or malformed.',
    action: 'Start the sign-in from the demo service.',
  },
  DEMO_IDP_UNKNOWN_REQUEST: {
    status: 400,
    meaning: 'Demo IdP: the sign-in request is unknown, used or expired.',
    action: 'Start the sign-in from the demo service again.',
  },
  DEMO_IDP_ACS_MISMATCH: {
    status: 400,
    meaning: 'Demo IdP: the AuthnRequest names another ACS URL.',
    action: "Use the demo service's own login link.",
  },
  DEMO_IDP_UNKNOWN_USER: {
    status: 400,
    meaning: 'Demo IdP: unknown demo user.',
    action: "Pick a user from the demo IdP's list.",
  },
  DEMO_IDP_UNKNOWN_SP: {
    status: 400,
    meaning: 'Demo IdP: the request comes from an SP it does not know.',
    action: "Use the demo service's own login link.",
  },
});

export const ERROR_CATALOGUE = { ...SAML, ...AWS, ...SESSION, ...REQUEST, ...ADMIN, ...CLI, ...SERVER, ...DEMO };

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_AREAS: Readonly<Record<ErrorArea, string>> = {
  saml: 'SAML sign-in and logout',
  aws: 'AWS',
  session: 'Sessions, roles and credentials',
  request: 'Requests',
  admin: 'Admin console',
  cli: 'CLI sign-in and tokens',
  server: 'Start-up and server',
  demo: 'Demo IdP (demo mode only)',
};

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, value);
}
