// The favicon: one SVG, cached for a year (it changes with a new name, never in place), and
// /favicon.ico, which browsers and crawlers ask for on their own, sent to it instead of a 404.
import { readFileSync } from 'node:fs';
import { Router } from 'express';
import { VIEWS_DIR } from '../../project-root.ts';

const ONE_YEAR_SECONDS = 365 * 24 * 3600;
const CACHE = `public, max-age=${ONE_YEAR_SECONDS}, immutable`;

export function faviconRoutes(): Router {
  const svg = readFileSync(`${VIEWS_DIR}static/favicon.svg`);
  const router = Router();
  router.get('/favicon.svg', (_req, res) => {
    res.setHeader('Cache-Control', CACHE);
    res.type('image/svg+xml').send(svg);
  });
  router.get('/favicon.ico', (_req, res) => {
    res.setHeader('Cache-Control', CACHE);
    res.redirect(301, '/favicon.svg');
  });
  return router;
}
