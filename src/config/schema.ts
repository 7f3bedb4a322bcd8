// The configuration schema: the single source of truth for every setting, its default and its
// meaning. `Config` is inferred from it; `load.ts` fills it from a file and the environment.
// Rules that relate several fields live in `rules.ts`, so they are reported even when a type is wrong.
// Sections with schemas of their own: schema-server.ts, schema-idp.ts (idps[]), schema-cluster.ts.
import { z } from 'zod';
import {
  type attributeNamesSchema,
  DEFAULT_AUDIENCES,
  DEFAULT_MAX_RESPONSE_AGE_SECONDS,
  idpSchema,
  maxAuthnAge,
  maxResponseAge,
  pemOrPath,
} from './schema-idp.ts';
import { clusterSchema } from './schema-cluster.ts';
import { serverSchema } from './schema-server.ts';

// curl's reading of a proxy given without a scheme ("proxy.corp:3128"): plain http to the proxy.
const proxyUrl = z
  .string()
  .transform((u) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(u) ? u : `http://${u}`))
  .pipe(
    z
      .string()
      .url('expected a proxy URL such as http://proxy.example.com:3128')
      .refine(
        (u) => !URL.canParse(u) || /^https?:$/.test(new URL(u).protocol),
        'expected an http:// or https:// proxy URL (SOCKS is not supported)',
      ),
  );

/** A NO_PROXY list: comma- or space-separated text (as in the environment) or a list. */
const noProxyList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(/[\s,]+/)).map((e) => e.trim()).filter((e) => e !== ''));

export const configSchema = z
  .object({
    mode: z
      .enum(['production', 'development'])
      .default('production')
      .describe('development allows aws.endpoint and short DB password lifetimes; refused when NODE_ENV=production'),
    log: z
      .object({
        level: z
          .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
          .default('info')
          .describe('log level'),
      })
      .strict()
      .default({}),
    server: serverSchema,
    sp: z
      .object({
        entityId: z.string().min(1).optional().describe('default: <baseUrl>/saml/metadata'),
        audiences: z
          .array(z.string().min(1))
          .optional()
          .describe(`accepted Audience values; default ${DEFAULT_AUDIENCES.join(', ')} and sp.entityId`),
        signingKey: pemOrPath.optional().describe('signs AuthnRequests (SHA-256) when set'),
        signingCert: pemOrPath.optional(),
        decryptionKey: pemOrPath.optional(),
        decryptionCert: pemOrPath.optional(),
        clockSkewSeconds: z.number().int().min(0).max(300).default(60).describe('allowed clock difference with IdPs'),
        maxResponseAgeSeconds: maxResponseAge
          .default(DEFAULT_MAX_RESPONSE_AGE_SECONDS)
          .describe(
            'refuse responses whose IssueInstant (Response or assertion) is older than this plus the clock skew',
          ),
        maxAuthnAgeSeconds: maxAuthnAge
          .optional()
          .describe(
            "refuse assertions whose AuthnInstant is older than this plus the clock skew; default: no limit (the IdP's SSO session decides)",
          ),
        requestTtlSeconds: z
          .number()
          .int()
          .min(60)
          .max(3600)
          .default(600)
          .describe('how long a sent AuthnRequest ID stays valid'),
        metadataFetch: z
          .object({
            timeoutMs: z
              .number()
              .int()
              .min(100)
              .max(60000)
              .default(5000)
              .describe('time limit for a whole metadata download'),
            maxBytes: z
              .number()
              .int()
              .min(1024)
              .max(10_000_000)
              .default(1_000_000)
              .describe('size limit of a metadata document'),
            allowHttpLoopback: z
              .boolean()
              .default(false)
              .describe('allow plain http:// metadata URLs on loopback addresses'),
            allowPrivateAddresses: z
              .boolean()
              .default(false)
              .describe('allow metadata hosts on private, loopback and link-local addresses'),
            refreshIntervalSeconds: z
              .number()
              .int()
              .min(60)
              .max(86400)
              .default(3600)
              .describe('how often metadata URLs are fetched again'),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    idps: z.array(idpSchema).default([]).describe('IdP connections from the file (the admin console adds more)'),
    clusters: z
      .array(clusterSchema)
      .default([])
      .describe('Redshift clusters and workgroups from the file (the admin console adds more)'),
    aws: z
      .object({
        region: z.string().default('us-east-1').describe('region for STS and the default for clusters'),
        timeoutMs: z.number().int().min(500).max(60000).default(10000).describe('per-attempt timeout of an AWS call'),
        maxAttempts: z.number().int().min(1).max(10).default(3).describe('SDK attempts per AWS call'),
        endpoint: z
          .string()
          .url()
          .optional()
          .describe('development only: one endpoint for STS and Redshift (the demo emulator)'),
      })
      .strict()
      .default({}),
    outboundProxy: z
      .object({
        httpsUrl: proxyUrl
          .optional()
          .describe(
            'proxy for https:// targets: every AWS endpoint and IdP metadata URL (env HTTPS_PROXY / https_proxy)',
          ),
        httpUrl: proxyUrl
          .optional()
          .describe('proxy for plain http:// targets, such as a development emulator (env HTTP_PROXY / http_proxy)'),
        noProxy: noProxyList
          .default([])
          .describe(
            'targets reached directly: *, host names (with their subdomains; a leading . or *. is optional), IP addresses, either with :port, CIDR ranges (env NO_PROXY / no_proxy)',
          ),
      })
      .strict()
      .default({})
      .describe(
        'outbound HTTP proxy for STS, Redshift, Redshift Serverless and metadata fetches; off when no URL is set',
      ),
    store: z
      .object({
        url: z
          .string()
          .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'expected sqlite:PATH or postgres://…')
          .default('sqlite:data/redshift-sso.db')
          .describe(
            'sqlite:PATH (one host) or postgres://… (shared by several instances); keep the password in the environment',
          ),
      })
      .strict()
      .default({}),
    cli: z
      .object({
        codeTtlSeconds: z
          .number()
          .int()
          .min(10)
          .max(60)
          .default(60)
          .describe('lifetime of the one-time code the browser hands the CLI'),
        deviceCodeTtlSeconds: z
          .number()
          .int()
          .min(60)
          .max(1800)
          .default(600)
          .describe('how long a device sign-in waits for approval'),
        pollIntervalSeconds: z
          .number()
          .int()
          .min(1)
          .max(60)
          .default(5)
          .describe('how often the CLI may poll during a device sign-in'),
      })
      .strict()
      .default({}),
    audit: z
      .object({
        retentionDays: z
          .number()
          .int()
          .min(1)
          .max(36_500)
          .default(400)
          .describe(
            'audit events older than this many days are deleted by the pruning job (one instance at a time, in batches; the job audits itself)',
          ),
        pruneIntervalMinutes: z
          .number()
          .int()
          .min(1)
          .max(1440)
          .default(60)
          .describe('how often the pruning job runs (the first run a minute after start-up)'),
      })
      .strict()
      .default({})
      .describe('the audit trail kept in the store'),
    metrics: z
      .object({
        port: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .optional()
          .describe('serve GET /metrics on this separate port, bound to server.host; off when unset'),
        token: z
          .string()
          .min(16, 'expected at least 16 characters')
          .optional()
          .describe('serve GET /metrics on the main port to requests with Authorization: Bearer <token>'),
      })
      .strict()
      .default({})
      .describe('Prometheus metrics: never served unless a port or a token is set'),
    admin: z
      .object({
        groupsAttribute: z
          .string()
          .default('https://redshift.amazon.com/SAML/Attributes/DbGroups')
          .describe("attribute holding group names; the default for every IdP's attributes.groups"),
        groups: z
          .array(z.string().min(1))
          .default([])
          .describe('members of any of these groups (case-insensitive) are admins, through an IdP with grantsAdmin'),
        setupTokenFile: z
          .string()
          .min(1)
          .optional()
          .describe(
            'where the one-time setup token is written (mode 0600) when stderr is not a terminal; default setup-token beside the SQLite store, or data/setup-token',
          ),
      })
      .strict()
      .default({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type IdpConfig = z.infer<typeof idpSchema>;
export type ClusterConfig = z.infer<typeof clusterSchema>;
export type AttributeNames = z.infer<typeof attributeNamesSchema>;
