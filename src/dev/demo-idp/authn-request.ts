// Reads the demo IdP's sign-in request from the HTTP-Redirect binding: the deflated AuthnRequest,
// the ACS URL it may post to (only the one the app configured), and the RelayState. Showing the
// user picker and signing the response are left to demo-idp.ts.
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { BadRequest, type ErrorCode } from '../../errors.ts';

/** What the IdP must remember between the picker and the signed response. */
export interface SignInRequest {
  requestId?: string;
  spEntityId?: string;
  acsUrl: string;
  relayState?: string;
}

export interface AcsUrls {
  /** The only ACS URL accepted for an AuthnRequest with this Issuer; may throw for an unknown SP. */
  acsUrl: (spEntityIdOrIdpId: string) => string;
  /** Used for AuthnRequests without an Issuer. */
  defaultAcsUrl: string;
}

export const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const MAX_REQUEST_BYTES = 100 * 1024; // inflated; a deflate bomb stops here, not in memory
const MAX_RELAY_STATE = 1024; // the binding allows 80 bytes; be lenient, but bounded

/** The SP-initiated request in `query` (SAMLRequest, RelayState), checked against the configured ACS URLs. */
export function signInRequestFrom(query: Record<string, unknown>, acsUrls: AcsUrls): SignInRequest {
  const request = parseAuthnRequest(query.SAMLRequest);
  const acsUrl = expectedAcsUrl(acsUrls, request.issuer);
  if (request.acsUrl !== undefined && request.acsUrl !== acsUrl) {
    throw bad(
      'DEMO_IDP_ACS_MISMATCH',
      'The AuthnRequest names an AssertionConsumerServiceURL this IdP does not post to.',
    );
  }
  return { requestId: request.id, spEntityId: request.issuer, acsUrl, relayState: relayStateOf(query.RelayState) };
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

function expectedAcsUrl(acsUrls: AcsUrls, issuer: string | undefined): string {
  if (issuer === undefined) return acsUrls.defaultAcsUrl;
  try {
    return acsUrls.acsUrl(issuer);
  } catch (cause) {
    throw bad('DEMO_IDP_UNKNOWN_SP', 'This demo IdP does not know the service provider that sent the request.', cause);
  }
}

export function relayStateOf(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_RELAY_STATE)
    throw bad('DEMO_IDP_BAD_REQUEST', 'RelayState is malformed or too long.');
  return value;
}

export function bad(
  code: ErrorCode,
  publicMessage: string,
  cause?: unknown,
  details?: Record<string, unknown>,
): BadRequest {
  return new BadRequest({ code, publicMessage, cause, details });
}
