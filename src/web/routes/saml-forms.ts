// What the SAML routes (sso.ts, slo.ts) share: the body parser of the endpoints that take SAML
// messages by POST, and the route parameter reader.
import express, { type Request } from 'express';

// The ACS alone takes large bodies: a SAMLResponse may be up to 100,000 characters (AWS's limit);
// the body limit leaves room for RelayState so the size check can name the real problem.
export const acsBody = express.urlencoded({ extended: false, limit: '150kb', parameterLimit: 10 });

export function param(req: Request, name: string): string {
  return String(req.params[name] ?? '');
}
