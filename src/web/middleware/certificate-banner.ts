// The console's certificate banner: every admin page carries the IdP signing certificates that
// expire within EXPIRY_WARNING_DAYS or have expired (views/admin/certificate-banner.ejs).
import type { RequestHandler } from 'express';
import type { CertificateExpiry } from '../../admin/certificate-expiry.ts';

export function certificateBanner(certificates: () => readonly CertificateExpiry[]): RequestHandler {
  return (_req, res, next) => {
    res.locals.certificateWarnings = certificates().filter((c) => c.warn);
    next();
  };
}
