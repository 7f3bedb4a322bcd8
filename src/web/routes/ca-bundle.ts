// The CA bundle an admin configured for a cluster, at a stable URL (/ca/<cluster id>.pem), so
// clients that verify the server certificate (sslmode=verify-full) can fetch the file they need.
// Public on purpose: CA certificates are not secrets, and curl and the CLI fetch it unauthenticated.
import { readFileSync } from 'node:fs';
import { Router } from 'express';
import type { ClusterConfig } from '../../config/schema.ts';
import { AppError, NotFound } from '../../errors.ts';
import { defaultCaFile } from '../../credentials/issue-db-login.ts';

export function caBundleRoutes(deps: { clusters: () => readonly ClusterConfig[] }): Router {
  const router = Router();
  router.get('/ca/:file', (req, res) => {
    const id = /^([a-z0-9][a-z0-9-]{0,62})\.pem$/.exec(String(req.params.file ?? ''))?.[1];
    const cluster = deps.clusters().find((c) => c.id === id);
    if (cluster?.caBundle === undefined)
      throw new NotFound({
        code: 'CA_BUNDLE_NOT_FOUND',
        publicMessage:
          'This cluster has no CA bundle here; its certificate chains to the public roots your system trusts.',
      });
    res.type('application/x-pem-file');
    res.setHeader('Content-Disposition', `attachment; filename="${defaultCaFile(cluster.id)}"`);
    res.send(pemOf(cluster.caBundle));
  });
  return router;
}

function pemOf(value: string): string {
  if (value.includes('-----BEGIN CERTIFICATE-----')) return value.endsWith('\n') ? value : `${value}\n`;
  try {
    return readFileSync(value, 'utf8');
  } catch (err) {
    throw new AppError({
      code: 'CA_BUNDLE_UNREADABLE',
      status: 500,
      publicMessage: 'The CA bundle file cannot be read.',
      cause: err,
      details: { path: value },
    });
  }
}
