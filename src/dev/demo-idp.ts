// The built-in demo IdP, mounted at /dev/idp in demo mode only: a user picker instead of a
// password, and signed SAML responses carrying the AWS and Redshift attributes. It does not check
// AuthnRequest signatures; it stays safe by posting only to the ACS URLs the app configured.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import ejs from 'ejs';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { BadRequest, type ErrorCode } from '../errors.ts';
import { buildSamlResponse, escapeXml, NAMEID_FORMAT, type SigningKey } from './saml-response.ts';
import { VIEWS_DIR } from '../project-root.ts';

export interface DemoUser {
  id: string;
  displayName: string;
  nameId: string;
  email: string;
  roles: Array<{ roleArn: string; principalArn: string }>;
  roleSessionName: string;
  dbUser: string;
  dbGroups: string[];
}

export interface DemoIdpOptions {
  entityId: string;
  /** Absolute URL of /dev/idp/sso, published in the metadata. */
  ssoUrl: string;
  key: SigningKey;
  users: DemoUser[];
  audiences: string[];
  /** The only ACS URL accepted for an AuthnRequest with this Issuer; may throw for an unknown SP. */
  acsUrl: (spEntityIdOrIdpId: string) => string;
  /** Used for AuthnRequests without an Issuer, and for IdP-initiated sign-in unless overridden. */
  defaultAcsUrl: string;
  idpInitiatedAcsUrl?: string;
  now?: () => Date;
  /** Defaults to the repository's views/ folder, found from this file. */
  viewsDir?: string;
}

const PRINCIPAL_ARN = 'arn:aws:iam::123456789012:saml-provider/RedshiftSsoDemo';
const ANALYST = { roleArn: 'arn:aws:iam::123456789012:role/RedshiftAnalyst', principalArn: PRINCIPAL_ARN };
const ADMIN = { roleArn: 'arn:aws:iam::123456789012:role/RedshiftAdmin', principalArn: PRINCIPAL_ARN };

export const DEMO_USERS: DemoUser[] = [
  {
    id: 'alice',
    displayName: 'Alice (analyst)',
    nameId: 'alice@example.com',
    email: 'alice@example.com',
    roles: [ANALYST],
    roleSessionName: 'alice',
    dbUser: 'alice',
    dbGroups: ['analysts'],
  },
  {
    id: 'bob',
    displayName: 'Bob (admin)',
    nameId: 'bob@example.com',
    email: 'bob@example.com',
    roles: [ANALYST, ADMIN],
    roleSessionName: 'bob',
    dbUser: 'bob',
    dbGroups: ['analysts', 'admins'],
  },
];

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const MAX_REQUEST_BYTES = 100 * 1024; // inflated; a deflate bomb stops here, not in memory
const MAX_RELAY_STATE = 1024; // the binding allows 80 bytes; be lenient, but bounded
const PENDING_TTL_MS = 5 * 60_000;
const MAX_PENDING = 1000;

interface PendingRequest {
  requestId?: string;
  spEntityId?: string;
  acsUrl: string;
  relayState?: string;
  expiresAt: number;
}

export function createDemoIdpRouter(options: DemoIdpOptions): Router {
  const now = options.now ?? (() => new Date());
  const viewsDir = options.viewsDir ?? VIEWS_DIR;
  const render = (view: string, data: Record<string, unknown>) => ejs.renderFile(path.join(viewsDir, view), data);
  const pending = new Map<string, PendingRequest>();

  // The form carries this random token, never the AuthnRequest itself, so the user cannot
  // change the ACS URL or InResponseTo between the two steps.
  function remember(request: Omit<PendingRequest, 'expiresAt'>): string {
    const at = now().getTime();
    for (const [token, entry] of pending)
      if (entry.expiresAt <= at || pending.size >= MAX_PENDING) pending.delete(token);
    const token = randomBytes(32).toString('base64url');
    pending.set(token, { ...request, expiresAt: at + PENDING_TTL_MS });
    return token;
  }

  function take(token: unknown): PendingRequest {
    const entry = typeof token === 'string' ? pending.get(token) : undefined;
    if (typeof token === 'string') pending.delete(token);
    if (!entry || entry.expiresAt <= now().getTime())
      throw bad(
        'DEMO_IDP_UNKNOWN_REQUEST',
        'This sign-in request is unknown, used or expired; start again from the application.',
      );
    return entry;
  }

  async function showPicker(req: Request, res: Response, request: Omit<PendingRequest, 'expiresAt'>): Promise<void> {
    const token = remember(request);
    const html = await render('dev-idp.ejs', {
      ...request,
      token,
      users: options.users,
      formAction: `${req.baseUrl}/sso`,
    });
    res.set('Cache-Control', 'no-store').type('html').send(html);
  }

  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '10kb' }));

  router.get('/metadata', (_req, res) => {
    res.type('application/samlmetadata+xml').send(demoIdpMetadataXml(options));
  });

  router.get(
    '/sso',
    handle(async (req, res) => {
      const request = parseAuthnRequest(req.query.SAMLRequest);
      const acsUrl = expectedAcsUrl(options, request.issuer);
      if (request.acsUrl !== undefined && request.acsUrl !== acsUrl) {
        throw bad(
          'DEMO_IDP_ACS_MISMATCH',
          'The AuthnRequest names an AssertionConsumerServiceURL this IdP does not post to.',
        );
      }
      await showPicker(req, res, {
        requestId: request.id,
        spEntityId: request.issuer,
        acsUrl,
        relayState: relayStateOf(req.query.RelayState),
      });
    }),
  );

  router.get(
    '/initiate',
    handle(async (req, res) => {
      const acsUrl = options.idpInitiatedAcsUrl ?? options.defaultAcsUrl;
      await showPicker(req, res, { acsUrl, relayState: relayStateOf(req.query.RelayState) });
    }),
  );

  router.post(
    '/sso',
    handle(async (req, res) => {
      const body: Record<string, unknown> = req.body ?? {};
      const request = take(body.token);
      const user = options.users.find((u) => u.id === body.userId);
      if (!user) throw bad('DEMO_IDP_UNKNOWN_USER', 'Unknown demo user.');
      const samlResponse = signedResponseFor(options, user, request, now());
      const html = await render('dev-idp-post.ejs', {
        acsUrl: request.acsUrl,
        samlResponse,
        relayState: request.relayState,
        user,
      });
      // The page holds a bearer assertion: keep it out of every cache.
      res.set('Cache-Control', 'no-store').type('html').send(html);
    }),
  );

  return router;
}

export function demoIdpMetadataXml(options: Pick<DemoIdpOptions, 'entityId' | 'ssoUrl' | 'key'>): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${escapeXml(options.entityId)}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${SAMLP}">` +
    '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>' +
    `<ds:X509Certificate>${certificateBody(options.key.certificate)}</ds:X509Certificate>` +
    '</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>' +
    `<md:NameIDFormat>${NAMEID_FORMAT.emailAddress}</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${escapeXml(options.ssoUrl)}"/>` +
    '</md:IDPSSODescriptor></md:EntityDescriptor>\n'
  );
}

function signedResponseFor(options: DemoIdpOptions, user: DemoUser, request: PendingRequest, now: Date): string {
  return buildSamlResponse({
    issuer: options.entityId,
    destination: request.acsUrl,
    recipient: request.acsUrl,
    inResponseTo: request.requestId,
    audiences: options.audiences,
    nameId: user.nameId,
    nameIdFormat: user.nameId === user.email ? NAMEID_FORMAT.emailAddress : NAMEID_FORMAT.unspecified,
    attributes: {
      'https://aws.amazon.com/SAML/Attributes/Role': user.roles.map((r) => `${r.roleArn},${r.principalArn}`),
      'https://aws.amazon.com/SAML/Attributes/RoleSessionName': user.roleSessionName,
      'https://aws.amazon.com/SAML/Attributes/SessionDuration': '3600',
      'https://redshift.amazon.com/SAML/Attributes/DbUser': user.dbUser,
      'https://redshift.amazon.com/SAML/Attributes/DbGroups': user.dbGroups,
      'urn:oid:0.9.2342.19200300.100.1.3': user.email, // mail
    },
    now,
    // Both signed: node-saml 5 wants a signed Response by default, and STS reads the assertion's.
    signResponse: true,
    signAssertion: true,
    key: options.key,
  });
}

function parseAuthnRequest(samlRequest: unknown): { id: string; acsUrl?: string; issuer?: string } {
  if (typeof samlRequest !== 'string' || samlRequest === '')
    throw bad('DEMO_IDP_BAD_REQUEST', 'SAMLRequest is missing.');
  let xml: string;
  try {
    xml = inflateRawSync(Buffer.from(samlRequest, 'base64'), { maxOutputLength: MAX_REQUEST_BYTES }).toString('utf8');
  } catch (cause) {
    throw bad('DEMO_IDP_BAD_REQUEST', 'SAMLRequest is not deflated base64, or is larger than 100 kB.', cause);
  }
  const problems: string[] = [];
  const report = (message: string) => problems.push(message);
  const root = new DOMParser({
    errorHandler: { warning: () => undefined, error: report, fatalError: report },
  }).parseFromString(xml, 'text/xml').documentElement;
  const id = root?.getAttribute('ID');
  if (problems.length > 0 || !root || root.localName !== 'AuthnRequest' || root.namespaceURI !== SAMLP || !id) {
    throw bad('DEMO_IDP_BAD_REQUEST', 'SAMLRequest is not a SAML 2.0 AuthnRequest with an ID.', undefined, {
      problems,
    });
  }
  const issuer = Array.from(root.getElementsByTagNameNS(SAML, 'Issuer')).find((e) => e.parentNode === root);
  return {
    id,
    acsUrl: root.getAttribute('AssertionConsumerServiceURL') || undefined,
    issuer: issuer?.textContent?.trim() || undefined,
  };
}

function expectedAcsUrl(options: DemoIdpOptions, issuer: string | undefined): string {
  if (issuer === undefined) return options.defaultAcsUrl;
  try {
    return options.acsUrl(issuer);
  } catch (cause) {
    throw bad('DEMO_IDP_UNKNOWN_SP', 'This demo IdP does not know the service provider that sent the request.', cause);
  }
}

function relayStateOf(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_RELAY_STATE)
    throw bad('DEMO_IDP_BAD_REQUEST', 'RelayState is malformed or too long.');
  return value;
}

function certificateBody(pem: string): string {
  // The first certificate only, without armour or line breaks, as X509Certificate wants it.
  const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  return (match?.[1] ?? pem).replace(/\s+/g, '');
}

function bad(code: ErrorCode, publicMessage: string, cause?: unknown, details?: Record<string, unknown>): BadRequest {
  return new BadRequest({ code, publicMessage, cause, details });
}

// Express 4 does not forward rejected promises to the error handler by itself.
function handle(fn: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    fn(req, res).catch(next);
  };
}
