// The `server` section of the configuration schema: the HTTP listener, sessions, proxies in
// front of the service, shutdown, workers and rate limits.
import { z } from 'zod';
import { MIN_SECRET_LENGTH, weakSecretProblem } from './secret-strength.ts';
import { trustProxyListProblems } from './trust-proxy.ts';

const proxyAddresses = <T extends string | string[]>(schema: z.ZodType<T>) =>
  schema.superRefine((value, ctx) => {
    for (const message of trustProxyListProblems(value)) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  });

export const serverSchema = z
  .object({
    baseUrl: z.string().url().default('http://localhost:3000').describe('public URL; ACS URLs derive from it'),
    host: z.string().default('0.0.0.0').describe('listen address'),
    port: z.number().int().min(0).max(65535).default(3000).describe('listen port'),
    trustProxy: z
      .union([
        z.boolean(),
        z.number().int().min(0).max(100),
        proxyAddresses(z.string()),
        proxyAddresses(z.array(z.string())),
      ])
      .default(false)
      .describe(
        'which proxies in front may set X-Forwarded-For/-Proto: a hop count, proxy addresses (IP, CIDR, loopback, linklocal, uniquelocal; a list or comma-separated), or true for any (unsafe)',
      ),
    sessionSecret: z
      .string()
      .min(MIN_SECRET_LENGTH, `expected at least ${MIN_SECRET_LENGTH} characters`)
      .superRefine((secret, ctx) => {
        const problem = secret.length < MIN_SECRET_LENGTH ? undefined : weakSecretProblem(secret);
        if (problem !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      })
      .describe(
        'signs cookies and derives the encryption key for role sessions; placeholders and predictable values are refused',
      ),
    sessionTtlSeconds: z
      .number()
      .int()
      .min(300)
      .max(43200)
      .default(3600)
      .describe('idle timeout: a session unused this long ends'),
    sessionMaxLifetimeSeconds: z
      .number()
      .int()
      .min(300)
      .max(43200)
      .default(43200)
      .describe(
        'absolute session lifetime from sign-in; use never extends it (nor does the IdP, whose SessionNotOnOrAfter can only shorten it)',
      ),
    shutdownTimeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(25)
      .describe(
        'on SIGTERM/SIGINT, how long requests in flight may run before their connections are cut (exit status 1)',
      ),
    workers: z
      .union([z.number().int().min(1).max(64), z.literal('auto')])
      .default(1)
      .describe(
        'processes serving requests (node:cluster, sharing the port and the store): a number, or auto for one per core; 1 runs a single process',
      ),
    validationThreads: z
      .number()
      .int()
      .min(0)
      .max(64)
      .default(1)
      .describe(
        'threads per process that check SAML response signatures off the event loop (a piscina pool), so health probes and other requests never wait behind them; 0 checks them on the event loop',
      ),
    rateLimit: z
      .object({
        windowSeconds: z.number().int().min(1).max(3600).default(60).describe('length of the fixed rate-limit window'),
        login: z.number().int().min(1).default(60).describe('sign-in starts per client IP and window'),
        acs: z.number().int().min(1).default(60).describe('SAML responses per client IP and window'),
        api: z.number().int().min(1).default(120).describe('API and credential requests per client IP and window'),
        ipv6Subnet: z
          .number()
          .int()
          .min(32)
          .max(64)
          .default(56)
          .describe('IPv6 clients are counted per subnet of this prefix length'),
      })
      .strict()
      .default({}),
  })
  .strict();
