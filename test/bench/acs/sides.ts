// The sides of the in-process part: what one "response" is for each (README, "The sides"), as a job
// that handles one pre-signed sample, and the batch runner that times them. The rounds that run
// them are in-process.ts.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import express, { Router } from 'express';
import { ValidateInResponseTo, type CacheProvider, type SAML, type SamlConfig } from '@node-saml/node-saml';
import { signInWithSaml } from '../../../src/sign-in/sign-in.ts';
import type { Sample } from './samples.ts';
import { BASE_URL, IDP, type Service } from './service.ts';

export const SIDES = {
  http: 'service: HTTP POST /saml/acs/:idp (full Express stack)',
  inproc: 'service: signInWithSaml + session write (no HTTP)',
  bare: 'bare node-saml validatePostResponseAsync (InResponseTo never)',
  bareIrt: 'bare node-saml (InResponseTo always, in-memory cache)',
  floor: 'HTTP floor: same form to a no-op route (no SAML, no session)',
} as const;
export type Side = keyof typeof SIDES;
export const ALL_SIDES = Object.keys(SIDES) as Side[];

/** The sides named by --sides (a comma-separated list). */
export function selectedSides(list: string): Set<Side> {
  const sides = new Set<Side>();
  for (const name of list.split(',')) {
    if (!(name in SIDES)) throw new Error(`--sides: unknown side "${name}" (${Object.keys(SIDES).join(', ')})`);
    sides.add(name as Side);
  }
  return sides;
}

export type Job = (sample: Sample) => Promise<void>;

/** POSTs the sample's form; `session` = expect the 303 to carry a new session cookie. */
export function httpPostJob(service: Service, agent: http.Agent, path: string, session: boolean): Job {
  return (sample) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: service.port,
          path,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': sample.form.length,
            'x-forwarded-proto': 'https',
            ...(sample.cookie === '' ? {} : { cookie: sample.cookie }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const cookie = res.headers['set-cookie']?.some((c) => c.startsWith('__Host-redshift-sso=')) ?? false;
            if (res.statusCode === 303 && res.headers.location === '/' && cookie === session) resolve();
            else
              reject(
                new Error(
                  `ACS answered ${res.statusCode ?? '?'} (session cookie: ${cookie}): ${Buffer.concat(chunks).toString('utf8').slice(0, 400)}`,
                ),
              );
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(sample.form);
    });
}

/** signInWithSaml (validation, InResponseTo, replay, fake STS, admin) + the session row the ACS writes. */
export function inProcessJob(service: Service): Job {
  const ttlMs = service.config.server.sessionTtlSeconds * 1000;
  return async (sample) => {
    const sessionId = randomBytes(24).toString('base64url');
    const user = await signInWithSaml(
      service.deps,
      await service.app.sp.validateResponse(IDP, sample.response),
      sessionId,
    );
    const expires = new Date(Date.now() + ttlMs);
    // The shape express-session + Passport store: the cookie settings and passport.user.
    const data = JSON.stringify({
      cookie: {
        originalMaxAge: ttlMs,
        expires: expires.toISOString(),
        secure: true,
        httpOnly: true,
        path: '/',
        sameSite: 'lax',
      },
      passport: { user },
    });
    await service.app.store.setSession(sessionId, data, expires);
  };
}

export const NOOP_ACS_PATH = '/saml/acs/bench-noop';

/** For the HTTP floor: the ACS's body parser and redirect, behind the same middleware (the ACS rate
 * limiter included: same path prefix), with no SAML and no session. */
export function noopAcsRouter(): Router {
  const router = Router();
  router.post(
    NOOP_ACS_PATH,
    express.urlencoded({ extended: false, limit: '150kb', parameterLimit: 10 }),
    (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body.SAMLResponse !== 'string') throw new Error('no SAMLResponse in the posted form');
      res.redirect(303, '/');
    },
  );
  return router;
}

/** The bare node-saml options, taken from the same resolved IdP connection the service uses. */
export function bareSamlOptions(service: Service): SamlConfig {
  const idp = service.app.sp.idp(IDP);
  return {
    callbackUrl: service.app.sp.acsUrl(IDP),
    entryPoint: idp.ssoUrl,
    issuer: `${BASE_URL}/saml/metadata`,
    idpIssuer: idp.entityId,
    idpCert: idp.certs,
    audience: false, // as in the service, which checks audiences itself
    wantAssertionsSigned: idp.wantAssertionsSigned,
    wantAuthnResponseSigned: idp.wantResponseSigned,
    acceptedClockSkewMs: idp.clockSkewSeconds * 1000,
    validateInResponseTo: ValidateInResponseTo.never,
  };
}

export function bareJob(saml: SAML): Job {
  return async (sample) => {
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: sample.response });
    if (profile === null) throw new Error('bare node-saml returned no profile');
  };
}

/** Bare node-saml with InResponseTo checked against an in-memory cache (refilled before each batch). */
export function memoryRequestCache(): CacheProvider & { fill(samples: Sample[]): void } {
  const ids = new Map<string, string>();
  return {
    fill(samples) {
      const at = new Date().toISOString();
      for (const s of samples) ids.set(s.requestId, at);
    },
    saveAsync: async (key, value) => {
      ids.set(key, value);
      return { createdAt: Date.now(), value };
    },
    getAsync: async (key) => ids.get(key) ?? null,
    removeAsync: async (key) => {
      if (key === null) return null;
      const value = ids.get(key) ?? null;
      ids.delete(key);
      return value;
    },
  };
}

export async function runBatch(samples: Sample[], concurrency: number, job: Job): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < samples.length) {
      const sample = samples[next++] as Sample;
      await job(sample);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, samples.length) }, worker));
  return Number(process.hrtime.bigint() - start) / 1e9;
}
