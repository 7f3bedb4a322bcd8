// The built-in demo IdP, mounted at /dev/idp in demo mode only: a user picker instead of a
// password, and signed SAML responses carrying the AWS and Redshift attributes. It does not check
// AuthnRequest signatures; it stays safe by posting only to the ACS URLs the app configured.
// Reading the AuthnRequest and the pending-request tokens are in demo-idp/.
import path from 'node:path';
import ejs from 'ejs';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { VIEWS_DIR } from '../project-root.ts';
import { bad, relayStateOf, SAMLP, signInRequestFrom, type SignInRequest } from './demo-idp/authn-request.ts';
import { createPendingRequests, type PendingRequests } from './demo-idp/pending-requests.ts';
import { DEMO_ADMIN_ROLE, DEMO_ANALYST_ROLE, DEMO_PRINCIPAL_ARN } from './demo/config.ts';
import { buildSamlResponse, escapeXml, NAMEID_FORMAT, type SigningKey } from './saml-response.ts';

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

const ANALYST = { roleArn: DEMO_ANALYST_ROLE, principalArn: DEMO_PRINCIPAL_ARN };
const ADMIN = { roleArn: DEMO_ADMIN_ROLE, principalArn: DEMO_PRINCIPAL_ARN };

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

type Render = (view: string, data: Record<string, unknown>) => Promise<string>;

export function createDemoIdpRouter(options: DemoIdpOptions): Router {
  const now = options.now ?? (() => new Date());
  const viewsDir = options.viewsDir ?? VIEWS_DIR;
  const render: Render = (view, data) => ejs.renderFile(path.join(viewsDir, view), data);
  const pending = createPendingRequests(now);

  async function showPicker(req: Request, res: Response, request: SignInRequest): Promise<void> {
    const token = pending.remember(request);
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
    handle(async (req, res) => showPicker(req, res, signInRequestFrom(req.query, options))),
  );
  router.get(
    '/initiate',
    handle(async (req, res) => {
      const acsUrl = options.idpInitiatedAcsUrl ?? options.defaultAcsUrl;
      await showPicker(req, res, { acsUrl, relayState: relayStateOf(req.query.RelayState) });
    }),
  );
  router.post('/sso', handle(postSignedResponse(options, pending, render, now)));
  return router;
}

/** POST /sso: the picked user's signed response, in a form that posts itself to the ACS URL. */
function postSignedResponse(options: DemoIdpOptions, pending: PendingRequests, render: Render, now: () => Date) {
  return async (req: Request, res: Response): Promise<void> => {
    const body: Record<string, unknown> = req.body ?? {};
    const request = pending.take(body.token);
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
  };
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

function signedResponseFor(options: DemoIdpOptions, user: DemoUser, request: SignInRequest, now: Date): string {
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

function certificateBody(pem: string): string {
  // The first certificate only, without armour or line breaks, as X509Certificate wants it.
  const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  return (match?.[1] ?? pem).replace(/\s+/g, '');
}

// Express 4 does not forward rejected promises to the error handler by itself.
function handle(fn: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    fn(req, res).catch(next);
  };
}
